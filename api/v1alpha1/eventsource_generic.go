package v1alpha1

import corev1 "k8s.io/api/core/v1"

// GenericEventSource receives events from an external gRPC server that
// implements Argo's generic event source protocol.
type GenericEventSource struct {
	// URL of the gRPC server.
	// +optional
	URL string `json:"url"`
	// Config is passed verbatim to the server.
	// +optional
	Config string `json:"config"`
	// Insecure connects without TLS.
	// +optional
	Insecure bool `json:"insecure,omitempty"`
	// JSONBody marks payloads as JSON so they are embedded as objects.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// AuthSecret selects a bearer token sent to the server.
	// +optional
	AuthSecret *corev1.SecretKeySelector `json:"authSecret,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
}
