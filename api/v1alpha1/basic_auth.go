package v1alpha1

import corev1 "k8s.io/api/core/v1"

// BasicAuth points at the Secret keys holding a username and a password.
type BasicAuth struct {
	// Username is the Secret key holding the user name.
	// +optional
	Username *corev1.SecretKeySelector `json:"username,omitempty"`
	// Password is the Secret key holding the password.
	// +optional
	Password *corev1.SecretKeySelector `json:"password,omitempty"`
}
