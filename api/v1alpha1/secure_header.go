package v1alpha1

import corev1 "k8s.io/api/core/v1"

// SecureHeader is a request header whose value is read from a Secret or a
// ConfigMap, for tokens that must not sit in the manifest.
type SecureHeader struct {
	// Name of the header.
	// +optional
	Name string `json:"name,omitempty"`
	// ValueFrom says where the header value is read from.
	// +optional
	ValueFrom *ValueFromSource `json:"valueFrom,omitempty"`
}

// ValueFromSource points at a key of either a Secret or a ConfigMap.
type ValueFromSource struct {
	// SecretKeyRef is the Secret key holding the value.
	// +optional
	SecretKeyRef *corev1.SecretKeySelector `json:"secretKeyRef,omitempty"`
	// ConfigMapKeyRef is the ConfigMap key holding the value.
	// +optional
	ConfigMapKeyRef *corev1.ConfigMapKeySelector `json:"configMapKeyRef,omitempty"`
}
