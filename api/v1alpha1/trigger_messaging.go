package v1alpha1

import corev1 "k8s.io/api/core/v1"

// KafkaTrigger publishes a message to a Kafka topic.
type KafkaTrigger struct {
	// URL of the Kafka brokers, separated by commas.
	// +optional
	URL string `json:"url"`
	// Topic to publish to.
	// +optional
	Topic string `json:"topic"`
	// Partition is deprecated and ignored; PartitioningKey picks the partition.
	// +optional
	Partition int32 `json:"partition"`
	// Parameters rewrite this trigger's fields from event values.
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
	// RequiredAcks is how many replica acknowledgements the producer waits
	// for. Defaults to 1 (the leader only).
	// +optional
	RequiredAcks int32 `json:"requiredAcks,omitempty"`
	// Compress, when true, compresses messages with snappy.
	// +optional
	Compress bool `json:"compress,omitempty"`
	// FlushFrequency is how often batches are flushed, in milliseconds.
	// Defaults to 500.
	// +optional
	FlushFrequency int32 `json:"flushFrequency,omitempty"`
	// TLS is the TLS setup of the producer.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// Payload builds the message from event values.
	// +optional
	Payload []TriggerParameter `json:"payload"`
	// PartitioningKey is the message key that picks the partition.
	// +optional
	PartitioningKey *string `json:"partitioningKey,omitempty"`
	// Version of Kafka to speak. Defaults to 1.0.0.
	// +optional
	Version string `json:"version,omitempty"`
	// SASL is the SASL setup of the producer.
	// +optional
	SASL *SASLConfig `json:"sasl,omitempty"`
	// SchemaRegistry, when set, encodes messages as Avro with a registry schema.
	// +optional
	SchemaRegistry *SchemaRegistryConfig `json:"schemaRegistry,omitempty"`
	// Headers added to each message.
	// +optional
	Headers map[string]string `json:"headers,omitempty"`
	// SecureHeaders are message headers whose values are read from Secrets or
	// ConfigMaps.
	// +optional
	SecureHeaders []*SecureHeader `json:"secureHeaders,omitempty"`
}

// SchemaRegistryConfig points at a schema in a schema registry.
type SchemaRegistryConfig struct {
	// URL of the schema registry.
	// +optional
	URL string `json:"url"`
	// SchemaID is the id of the schema to use.
	// +optional
	SchemaID int32 `json:"schemaId"`
	// Auth is the basic auth for the registry.
	// +optional
	Auth BasicAuth `json:"auth,omitempty,omitzero"`
}

// NATSTrigger publishes a message to a NATS subject.
type NATSTrigger struct {
	// URL of the NATS server.
	// +optional
	URL string `json:"url"`
	// Subject to publish to.
	// +optional
	Subject string `json:"subject"`
	// Payload builds the message from event values.
	// +optional
	Payload []TriggerParameter `json:"payload"`
	// Parameters rewrite this trigger's fields from event values.
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
	// TLS is the TLS setup of the client.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// Auth is how the client logs in to the server (Argo Events after v1.9).
	// +optional
	Auth *NATSAuth `json:"auth,omitempty"`
}

// PulsarTrigger publishes a message to a Pulsar topic.
type PulsarTrigger struct {
	// URL of the Pulsar service.
	// +optional
	URL string `json:"url"`
	// Topic to publish to.
	// +optional
	Topic string `json:"topic"`
	// Parameters rewrite this trigger's fields from event values.
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
	// Payload builds the message from event values.
	// +optional
	Payload []TriggerParameter `json:"payload"`
	// TLSTrustCertsSecret is the Secret key holding the certificate to trust.
	// +optional
	TLSTrustCertsSecret *corev1.SecretKeySelector `json:"tlsTrustCertsSecret,omitempty"`
	// TLSAllowInsecureConnection, when true, accepts an untrusted broker
	// certificate.
	// +optional
	TLSAllowInsecureConnection bool `json:"tlsAllowInsecureConnection,omitempty"`
	// TLSValidateHostname, when true, checks the broker host name.
	// +optional
	TLSValidateHostname bool `json:"tlsValidateHostname,omitempty"`
	// TLS is the TLS setup of the client.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// AuthTokenSecret is the Secret key holding an auth token. Use either a
	// token or Athenz.
	// +optional
	AuthTokenSecret *corev1.SecretKeySelector `json:"authTokenSecret,omitempty"`
	// ConnectionBackoff retries the connection.
	// +optional
	ConnectionBackoff *Backoff `json:"connectionBackoff,omitempty"`
	// AuthAthenzParams are the Athenz auth parameters.
	// +optional
	AuthAthenzParams map[string]string `json:"authAthenzParams,omitempty"`
	// AuthAthenzSecret is the Secret key holding the Athenz private key;
	// needed with AuthAthenzParams.
	// +optional
	AuthAthenzSecret *corev1.SecretKeySelector `json:"authAthenzSecret,omitempty"`
}

// AzureEventHubsTrigger sends an event to an Azure Event Hub.
type AzureEventHubsTrigger struct {
	// FQDN of the Event Hubs namespace, <namespace>.servicebus.windows.net.
	// +optional
	FQDN string `json:"fqdn"`
	// HubName is the Event Hub to send to.
	// +optional
	HubName string `json:"hubName"`
	// SharedAccessKeyName is the Secret key holding the shared access key name.
	// +optional
	SharedAccessKeyName *corev1.SecretKeySelector `json:"sharedAccessKeyName"`
	// SharedAccessKey is the Secret key holding the shared access key.
	// +optional
	SharedAccessKey *corev1.SecretKeySelector `json:"sharedAccessKey,omitempty"`
	// Payload builds the event from event values.
	// +optional
	Payload []TriggerParameter `json:"payload"`
	// Parameters rewrite this trigger's fields from event values.
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
}

// AzureServiceBusTrigger sends a message to an Azure Service Bus queue or topic.
type AzureServiceBusTrigger struct {
	// ConnectionString is the Secret key holding the connection string.
	// +optional
	ConnectionString *corev1.SecretKeySelector `json:"connectionString,omitempty"`
	// QueueName is the queue to send to.
	// +optional
	QueueName string `json:"queueName"`
	// TopicName is the topic to send to.
	// +optional
	TopicName string `json:"topicName"`
	// SubscriptionName is the topic subscription.
	// +optional
	SubscriptionName string `json:"subscriptionName"`
	// TLS is the TLS setup of the client.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// Payload builds the message from event values.
	// +optional
	Payload []TriggerParameter `json:"payload"`
	// Parameters rewrite this trigger's fields from event values.
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
}
