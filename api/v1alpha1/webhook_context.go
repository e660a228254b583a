package v1alpha1

import corev1 "k8s.io/api/core/v1"

// DefaultMaxWebhookPayloadSize is the largest request body, in bytes, that an
// HTTP server of an event source accepts when MaxPayloadSize is not set (1 MiB).
const DefaultMaxWebhookPayloadSize int64 = 1048576

// WebhookContext configures the HTTP endpoint an HTTP-based event source
// listens on (webhook, github, gitlab, slack, sns, ...).
type WebhookContext struct {
	// Endpoint is the URL path the server handles, e.g. "/push".
	// +optional
	Endpoint string `json:"endpoint"`
	// Method is the HTTP method accepted on the endpoint, e.g. "POST".
	// +optional
	Method string `json:"method"`
	// Port is the port the HTTP server listens on.
	// +optional
	Port string `json:"port"`
	// URL is the externally reachable address of the endpoint, registered
	// with the remote service when the source creates hooks itself.
	// +optional
	URL string `json:"url"`
	// ServerCertSecret selects the TLS certificate to serve HTTPS with.
	// +optional
	ServerCertSecret *corev1.SecretKeySelector `json:"serverCertSecret,omitempty"`
	// ServerKeySecret selects the private key matching ServerCertSecret.
	// +optional
	ServerKeySecret *corev1.SecretKeySelector `json:"serverKeySecret,omitempty"`
	// Metadata is copied into every event this endpoint produces.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// AuthSecret selects a bearer token that requests must present.
	// +optional
	AuthSecret *corev1.SecretKeySelector `json:"authSecret,omitempty"`
	// MaxPayloadSize caps the request body size in bytes; larger requests are
	// refused. DefaultMaxWebhookPayloadSize applies when unset.
	// +optional
	MaxPayloadSize *int64 `json:"maxPayloadSize,omitempty"`
	// BasicAuth selects the username and password that requests must present.
	// +optional
	BasicAuth *BasicAuth `json:"basicAuth,omitempty"`
}

// GetMaxPayloadSize returns MaxPayloadSize, or DefaultMaxWebhookPayloadSize
// when the context or the field is nil.
func (wc *WebhookContext) GetMaxPayloadSize() int64 {
	if wc == nil || wc.MaxPayloadSize == nil {
		return DefaultMaxWebhookPayloadSize
	}
	return *wc.MaxPayloadSize
}
