package v1alpha1

import corev1 "k8s.io/api/core/v1"

// TLSConfig is the TLS setup of a client connection.
type TLSConfig struct {
	// CACertSecret is the Secret key holding the CA certificate to trust.
	// +optional
	CACertSecret *corev1.SecretKeySelector `json:"caCertSecret,omitempty"`
	// ClientCertSecret is the Secret key holding the client certificate.
	// +optional
	ClientCertSecret *corev1.SecretKeySelector `json:"clientCertSecret,omitempty"`
	// ClientKeySecret is the Secret key holding the client private key.
	// +optional
	ClientKeySecret *corev1.SecretKeySelector `json:"clientKeySecret,omitempty"`
	// InsecureSkipVerify, when true, uses an empty TLS setup that does not check
	// the server certificate. Defaults to false.
	// +optional
	InsecureSkipVerify bool `json:"insecureSkipVerify,omitempty"`
	// Enabled, with no Secret set, uses TLS with the system's trusted
	// certificates and no client certificate (Argo Events after v1.9).
	// +optional
	Enabled bool `json:"enabled,omitempty"`
}
