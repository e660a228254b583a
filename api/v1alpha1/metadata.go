package v1alpha1

// Metadata is the labels and annotations added to a generated pod.
type Metadata struct {
	// Annotations added to the pod.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
	// Labels added to the pod.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
}
