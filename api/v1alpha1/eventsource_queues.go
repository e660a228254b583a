package v1alpha1

import corev1 "k8s.io/api/core/v1"

// MQTTEventSource subscribes to an MQTT topic.
type MQTTEventSource struct {
	// URL of the broker, e.g. "tcp://host:1883".
	// +optional
	URL string `json:"url"`
	// Topic to subscribe to.
	// +optional
	Topic string `json:"topic"`
	// ClientID identifies the client to the broker.
	// +optional
	ClientID string `json:"clientId"`
	// ConnectionBackoff governs retries of the initial connection.
	// +optional
	ConnectionBackoff *Backoff `json:"connectionBackoff,omitempty"`
	// JSONBody marks payloads as JSON so they are embedded as objects.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// TLS configures the connection to the broker.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// Auth selects a username and password for the broker.
	// +optional
	Auth *BasicAuth `json:"auth,omitempty"`
}

// NATSEventsSource subscribes to a NATS subject. (The type name, with its
// extra "s", is Argo's.)
type NATSEventsSource struct {
	// URL of the NATS server, e.g. "nats://host:4222".
	// +optional
	URL string `json:"url"`
	// Subject to subscribe to.
	// +optional
	Subject string `json:"subject"`
	// ConnectionBackoff governs retries of the initial connection.
	// +optional
	ConnectionBackoff *Backoff `json:"connectionBackoff,omitempty"`
	// JSONBody marks payloads as JSON so they are embedded as objects.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// TLS configures the connection to the server.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Auth holds the credentials for the server.
	// +optional
	Auth *NATSAuth `json:"auth,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// Queue, when set, subscribes as a member of this queue group.
	// +optional
	Queue *string `json:"queue"`
}

// NATSAuth holds one of the ways to authenticate to a NATS server.
type NATSAuth struct {
	// Basic selects a username and password.
	// +optional
	Basic *BasicAuth `json:"basic,omitempty"`
	// Token selects an authentication token.
	// +optional
	Token *corev1.SecretKeySelector `json:"token,omitempty"`
	// NKey selects an NKey seed.
	// +optional
	NKey *corev1.SecretKeySelector `json:"nkey,omitempty"`
	// Credential selects a credentials (.creds) file.
	// +optional
	Credential *corev1.SecretKeySelector `json:"credential,omitempty"`
}

// NSQEventSource consumes an NSQ topic through a channel.
type NSQEventSource struct {
	// HostAddress is the address of nsqlookupd.
	// +optional
	HostAddress string `json:"hostAddress"`
	// Topic to consume.
	// +optional
	Topic string `json:"topic"`
	// Channel to consume the topic through.
	// +optional
	Channel string `json:"channel"`
	// ConnectionBackoff governs retries of the initial connection.
	// +optional
	ConnectionBackoff *Backoff `json:"connectionBackoff,omitempty"`
	// JSONBody marks message bodies as JSON so they are embedded as objects.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// TLS configures the connection.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
}

// PulsarEventSource consumes Apache Pulsar topics through a subscription.
type PulsarEventSource struct {
	// Topics to subscribe to.
	// +optional
	Topics []string `json:"topics"`
	// Type is the subscription type, "exclusive" (the default) or "shared".
	// +optional
	Type string `json:"type,omitempty"`
	// URL of the Pulsar service, e.g. "pulsar://host:6650".
	// +optional
	URL string `json:"url"`
	// TLSTrustCertsSecret selects the CA certificate to trust.
	// +optional
	TLSTrustCertsSecret *corev1.SecretKeySelector `json:"tlsTrustCertsSecret,omitempty"`
	// TLSAllowInsecureConnection accepts untrusted broker certificates.
	// +optional
	TLSAllowInsecureConnection bool `json:"tlsAllowInsecureConnection,omitempty"`
	// TLSValidateHostname checks the broker's host name against its certificate.
	// +optional
	TLSValidateHostname bool `json:"tlsValidateHostname,omitempty"`
	// TLS configures client certificates for the connection.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// ConnectionBackoff governs retries of the initial connection.
	// +optional
	ConnectionBackoff *Backoff `json:"connectionBackoff,omitempty"`
	// JSONBody marks payloads as JSON so they are embedded as objects.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// AuthTokenSecret selects a token to authenticate with; exclusive with
	// Athenz.
	// +optional
	AuthTokenSecret *corev1.SecretKeySelector `json:"authTokenSecret,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// AuthAthenzParams are the Athenz authentication parameters; exclusive
	// with AuthTokenSecret.
	// +optional
	AuthAthenzParams map[string]string `json:"authAthenzParams,omitempty"`
	// AuthAthenzSecret selects the Athenz private key; needed with
	// AuthAthenzParams.
	// +optional
	AuthAthenzSecret *corev1.SecretKeySelector `json:"authAthenzSecret,omitempty"`
}

// RedisEventSource subscribes to Redis Pub/Sub channels.
type RedisEventSource struct {
	// HostAddress is the Redis server address (host:port).
	// +optional
	HostAddress string `json:"hostAddress"`
	// Password selects the Redis password.
	// +optional
	Password *corev1.SecretKeySelector `json:"password,omitempty"`
	// Namespace the password secret is read from.
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// DB is the database number; 0 when unset.
	// +optional
	DB int32 `json:"db,omitempty"`
	// Channels to subscribe to; patterns are allowed.
	// +optional
	Channels []string `json:"channels"`
	// TLS configures the connection.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// JSONBody marks payloads as JSON so they are embedded as objects.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// Username for Redis ACL authentication.
	// +optional
	Username string `json:"username,omitempty"`
}

// RedisStreamEventSource reads Redis streams through a consumer group.
type RedisStreamEventSource struct {
	// HostAddress is the address (host:port) of the Redis master.
	// +optional
	HostAddress string `json:"hostAddress"`
	// Password selects the Redis password.
	// +optional
	Password *corev1.SecretKeySelector `json:"password,omitempty"`
	// DB is the database number; 0 when unset.
	// +optional
	DB int32 `json:"db,omitempty"`
	// Streams to read entries from.
	// +optional
	Streams []string `json:"streams"`
	// MaxMsgCountPerRead caps the entries read per stream and read call;
	// 10 when unset.
	// +optional
	MaxMsgCountPerRead int32 `json:"maxMsgCountPerRead,omitempty"`
	// ConsumerGroup is the group created on every stream; "argo-events-cg"
	// when empty.
	// +optional
	ConsumerGroup string `json:"consumerGroup,omitempty"`
	// TLS configures the connection.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// Username for Redis ACL authentication.
	// +optional
	Username string `json:"username,omitempty"`
}

// EmitterEventSource subscribes to an emitter.io channel.
type EmitterEventSource struct {
	// Broker is the broker address.
	// +optional
	Broker string `json:"broker"`
	// ChannelKey is the key granting access to the channel.
	// +optional
	ChannelKey string `json:"channelKey"`
	// ChannelName is the channel to subscribe to.
	// +optional
	ChannelName string `json:"channelName"`
	// Username selects the broker username.
	// +optional
	Username *corev1.SecretKeySelector `json:"username,omitempty"`
	// Password selects the broker password.
	// +optional
	Password *corev1.SecretKeySelector `json:"password,omitempty"`
	// ConnectionBackoff governs retries of the initial connection.
	// +optional
	ConnectionBackoff *Backoff `json:"connectionBackoff,omitempty"`
	// JSONBody marks payloads as JSON so they are embedded as objects.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// TLS configures the connection.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
}
