package v1alpha1

import corev1 "k8s.io/api/core/v1"

// Template customises the pod that runs an EventSource or a Sensor.
type Template struct {
	// Metadata is the labels and annotations added to the pod.
	// +optional
	Metadata *Metadata `json:"metadata,omitempty"`
	// ServiceAccountName is the ServiceAccount the pod runs as.
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
	// Container overrides fields of the main container (env, resources,
	// volumeMounts, ...). Manifests leave out the container name, which
	// corev1.Container's schema requires, so the CRD keeps this field
	// schemaless.
	// +optional
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Container *corev1.Container `json:"container,omitempty"`
	// Volumes added to the pod, to be mounted by the container.
	// +optional
	// +patchMergeKey=name
	// +patchStrategy=merge
	Volumes []corev1.Volume `json:"volumes,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	// SecurityContext is the pod-level security context.
	// +optional
	SecurityContext *corev1.PodSecurityContext `json:"securityContext,omitempty"`
	// NodeSelector restricts the pod to nodes with these labels.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// Tolerations of the pod.
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
	// ImagePullSecrets are Secrets used to pull the pod's images.
	// +optional
	// +patchMergeKey=name
	// +patchStrategy=merge
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	// PriorityClassName is the PriorityClass of the pod.
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`
	// Priority is the pod priority value; usually filled from PriorityClassName.
	// +optional
	Priority *int32 `json:"priority,omitempty"`
	// Affinity holds the pod's scheduling constraints.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`
}

// ContainerTemplate customises a container the EventBus controller creates.
type ContainerTemplate struct {
	// Resources are the container's resource requests and limits.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty,omitzero"`
	// ImagePullPolicy of the container.
	// +optional
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	// SecurityContext of the container.
	// +optional
	SecurityContext *corev1.SecurityContext `json:"securityContext,omitempty"`
}
