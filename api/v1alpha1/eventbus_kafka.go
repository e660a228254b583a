package v1alpha1

// KafkaBus is an existing Kafka cluster used as the EventBus.
type KafkaBus struct {
	// URL of the brokers, separated by commas.
	// +optional
	URL string `json:"url,omitempty"`
	// Topic carrying the events. Defaults to {namespace}-{eventbus name}.
	// +optional
	Topic string `json:"topic,omitempty"`
	// Version of Kafka to speak. Defaults to the oldest stable version the
	// client supports.
	// +optional
	Version string `json:"version,omitempty"`
	// TLS is the TLS setup of the client.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// SASL is the SASL setup of the client.
	// +optional
	SASL *SASLConfig `json:"sasl,omitempty"`
	// ConsumerGroup is the consumer group setup of the client.
	// +optional
	ConsumerGroup *KafkaConsumerGroup `json:"consumerGroup,omitempty"`
	// Partitioner names how the producer picks a partition (Argo Events
	// after v1.9).
	// +optional
	Partitioner string `json:"partitioner,omitempty"`
	// ConsumerBatchMaxWait is how long the consumer waits to fill a batch,
	// as a duration (Argo Events after v1.9).
	// +optional
	ConsumerBatchMaxWait string `json:"consumerBatchMaxWait,omitempty"`
}
