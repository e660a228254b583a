package v1alpha1

import corev1 "k8s.io/api/core/v1"

// SASLConfig is the SASL authentication setup of a client.
type SASLConfig struct {
	// Mechanism is the SASL mechanism: PLAIN (the default), OAUTHBEARER,
	// SCRAM-SHA-256, SCRAM-SHA-512 or GSSAPI.
	// +optional
	Mechanism string `json:"mechanism,omitempty"`
	// UserSecret is the Secret key holding the user name.
	// +optional
	UserSecret *corev1.SecretKeySelector `json:"userSecret,omitempty"`
	// PasswordSecret is the Secret key holding the password.
	// +optional
	PasswordSecret *corev1.SecretKeySelector `json:"passwordSecret,omitempty"`
}

// GetMechanism returns the mechanism to use: Mechanism when it is one of the
// known ones, PLAIN otherwise.
func (s SASLConfig) GetMechanism() string {
	switch s.Mechanism {
	case "OAUTHBEARER", "SCRAM-SHA-256", "SCRAM-SHA-512", "GSSAPI":
		return s.Mechanism
	default:
		return "PLAIN"
	}
}
