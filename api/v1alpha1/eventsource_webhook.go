package v1alpha1

import corev1 "k8s.io/api/core/v1"

// WebhookEventSource turns HTTP requests received on an endpoint into events.
type WebhookEventSource struct {
	WebhookContext `json:",inline"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// HMACSecret is a Herald extension (Argo Events rejects it): it selects
	// the key requests are signed with, GitHub-style. Each request must then
	// carry "X-Hub-Signature-256: sha256=<hex>", the HMAC-SHA256 of its raw
	// body under that key; others are refused with 401.
	// +optional
	HMACSecret *corev1.SecretKeySelector `json:"hmacSecret,omitempty"`
}

// SlackEventSource receives requests from a Slack app (Events API, slash
// commands, interactions) and checks their signature.
type SlackEventSource struct {
	// SigningSecret selects the Slack app's signing secret, used to verify
	// requests.
	// +optional
	SigningSecret *corev1.SecretKeySelector `json:"signingSecret,omitempty"`
	// Token selects the verification token used in Slack's URL handshake.
	// +optional
	Token *corev1.SecretKeySelector `json:"token,omitempty"`
	// Webhook configures the HTTP endpoint Slack calls.
	// +optional
	Webhook *WebhookContext `json:"webhook,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
}

// StripeEventSource receives Stripe webhook notifications and can register
// the webhook with Stripe itself.
type StripeEventSource struct {
	// Webhook configures the HTTP endpoint Stripe calls.
	// +optional
	Webhook *WebhookContext `json:"webhook,omitempty"`
	// CreateWebhook registers the endpoint with Stripe through its API.
	// +optional
	CreateWebhook bool `json:"createWebhook,omitempty"`
	// APIKey selects the Stripe API key; needed only with CreateWebhook.
	// +optional
	APIKey *corev1.SecretKeySelector `json:"apiKey,omitempty"`
	// EventFilter lists the Stripe event types to keep; all are kept when empty.
	// +optional
	EventFilter []string `json:"eventFilter,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
}

// StorageGridEventSource receives bucket notifications from NetApp
// StorageGRID and registers them through its API.
type StorageGridEventSource struct {
	// Webhook configures the HTTP endpoint StorageGRID calls.
	// +optional
	Webhook *WebhookContext `json:"webhook,omitempty"`
	// Events are the S3 notification types to subscribe to, written without
	// the "s3:" prefix.
	// +optional
	Events []string `json:"events,omitempty"`
	// Filter restricts notifications by object key prefix and suffix.
	// +optional
	Filter *StorageGridFilter `json:"filter,omitempty"`
	// TopicArn is the ARN of the StorageGRID endpoint topic.
	// +optional
	TopicArn string `json:"topicArn"`
	// Bucket is the bucket to register notifications for.
	// +optional
	Bucket string `json:"bucket"`
	// Region is the S3 region; us-east-1 when empty.
	// +optional
	Region string `json:"region,omitempty"`
	// AuthToken selects the token for the StorageGRID API.
	// +optional
	AuthToken *corev1.SecretKeySelector `json:"authToken"`
	// APIURL is the base URL of the StorageGRID API.
	// +optional
	APIURL string `json:"apiURL"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// TLS configures the client used to call the StorageGRID API.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
}

// StorageGridFilter keeps notifications whose object key has the given
// prefix and suffix.
type StorageGridFilter struct {
	// Prefix the object key must start with.
	// +optional
	Prefix string `json:"prefix"`
	// Suffix the object key must end with.
	// +optional
	Suffix string `json:"suffix"`
}
