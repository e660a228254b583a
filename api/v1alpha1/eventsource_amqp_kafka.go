package v1alpha1

import corev1 "k8s.io/api/core/v1"

// AMQPEventSource consumes messages from an AMQP 0.9.1 broker (RabbitMQ),
// declaring and binding the exchange and queue it reads from.
type AMQPEventSource struct {
	// URL of the broker, e.g. "amqp://host:5672".
	// +optional
	URL string `json:"url,omitempty"`
	// ExchangeName is the exchange the queue is bound to.
	// +optional
	ExchangeName string `json:"exchangeName"`
	// ExchangeType is the exchange kind: direct, fanout, topic or headers.
	// +optional
	ExchangeType string `json:"exchangeType"`
	// RoutingKey is the key the queue is bound with.
	// +optional
	RoutingKey string `json:"routingKey"`
	// ConnectionBackoff governs retries of the initial connection.
	// +optional
	ConnectionBackoff *Backoff `json:"connectionBackoff,omitempty"`
	// JSONBody marks message bodies as JSON so they are embedded as objects.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// TLS configures the connection to the broker.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// ExchangeDeclare sets the options the exchange is declared with.
	// +optional
	ExchangeDeclare *AMQPExchangeDeclareConfig `json:"exchangeDeclare,omitempty"`
	// QueueDeclare sets the options the queue is declared with.
	// +optional
	QueueDeclare *AMQPQueueDeclareConfig `json:"queueDeclare,omitempty"`
	// QueueBind sets the options the queue is bound with.
	// +optional
	QueueBind *AMQPQueueBindConfig `json:"queueBind,omitempty"`
	// Consume sets the options messages are consumed with.
	// +optional
	Consume *AMQPConsumeConfig `json:"consume,omitempty"`
	// Auth selects a username and password for the broker.
	// +optional
	Auth *BasicAuth `json:"auth,omitempty"`
	// URLSecret selects the broker URL, instead of URL.
	// +optional
	URLSecret *corev1.SecretKeySelector `json:"urlSecret,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
}

// AMQPExchangeDeclareConfig holds the options of an AMQP exchange declaration.
type AMQPExchangeDeclareConfig struct {
	// Durable keeps the exchange across broker restarts.
	// +optional
	Durable bool `json:"durable,omitempty"`
	// AutoDelete deletes the exchange once no queue is bound to it.
	// +optional
	AutoDelete bool `json:"autoDelete,omitempty"`
	// Internal makes the exchange refuse direct publishing.
	// +optional
	Internal bool `json:"internal,omitempty"`
	// NoWait does not wait for the broker to confirm the declaration.
	// +optional
	NoWait bool `json:"noWait,omitempty"`
}

// AMQPQueueDeclareConfig holds the options of an AMQP queue declaration.
type AMQPQueueDeclareConfig struct {
	// Name of the queue; the broker generates one when empty.
	// +optional
	Name string `json:"name,omitempty"`
	// Durable keeps the queue across broker restarts.
	// +optional
	Durable bool `json:"durable,omitempty"`
	// AutoDelete deletes the queue once it has no consumer.
	// +optional
	AutoDelete bool `json:"autoDelete,omitempty"`
	// Exclusive restricts the queue to this connection and deletes it when
	// the connection closes.
	// +optional
	Exclusive bool `json:"exclusive,omitempty"`
	// NoWait does not wait for the broker to confirm the declaration.
	// +optional
	NoWait bool `json:"noWait,omitempty"`
	// Arguments are the queue's x-arguments, as a JSON object string.
	// +optional
	Arguments string `json:"arguments,omitempty"`
}

// AMQPQueueBindConfig holds the options of an AMQP queue binding.
type AMQPQueueBindConfig struct {
	// NoWait does not wait for the broker to confirm the binding.
	// +optional
	NoWait bool `json:"noWait,omitempty"`
}

// AMQPConsumeConfig holds the options of an AMQP consumer.
type AMQPConsumeConfig struct {
	// ConsumerTag identifies the consumer; the broker generates one when empty.
	// +optional
	ConsumerTag string `json:"consumerTag,omitempty"`
	// AutoAck lets the broker treat messages as acknowledged on delivery.
	// +optional
	AutoAck bool `json:"autoAck,omitempty"`
	// Exclusive makes this the only consumer of the queue.
	// +optional
	Exclusive bool `json:"exclusive,omitempty"`
	// NoLocal is accepted for completeness; RabbitMQ does not support it.
	// +optional
	NoLocal bool `json:"noLocal,omitempty"`
	// NoWait does not wait for the broker to confirm the consumer.
	// +optional
	NoWait bool `json:"noWait,omitempty"`
}

// KafkaEventSource consumes messages from a Kafka topic, either from one
// partition or through a consumer group.
type KafkaEventSource struct {
	// URL lists the brokers, comma separated.
	// +optional
	URL string `json:"url"`
	// Partition to read when no consumer group is set.
	// +optional
	Partition string `json:"partition"`
	// Topic to consume.
	// +optional
	Topic string `json:"topic"`
	// ConnectionBackoff governs retries of the initial connection.
	// +optional
	ConnectionBackoff *Backoff `json:"connectionBackoff,omitempty"`
	// TLS configures the connection to the brokers.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// JSONBody marks message values as JSON so they are embedded as objects.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// ConsumerGroup consumes through a consumer group instead of a partition.
	// +optional
	ConsumerGroup *KafkaConsumerGroup `json:"consumerGroup,omitempty"`
	// LimitEventsPerSecond caps the rate messages are read at.
	// +optional
	LimitEventsPerSecond int64 `json:"limitEventsPerSecond,omitempty"`
	// Version is the Kafka protocol version to speak, e.g. "2.8.0"; 1.0.0
	// when empty.
	// +optional
	Version string `json:"version"`
	// SASL configures SASL authentication to the brokers.
	// +optional
	SASL *SASLConfig `json:"sasl,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// Config is extra client configuration as YAML, following the field
	// layout of the Sarama client's Config.
	// +optional
	Config string `json:"config,omitempty"`
	// SchemaRegistry decodes Avro message values through a schema registry.
	// +optional
	SchemaRegistry *SchemaRegistryConfig `json:"schemaRegistry,omitempty"`
	// AWSMSKIAMAuth authenticates to Amazon MSK with AWS IAM credentials
	// (SASL/OAUTHBEARER); it turns TLS on and takes precedence over SASL.
	// +optional
	AWSMSKIAMAuth *AWSMSKIAMConfig `json:"awsMskIamAuth,omitempty"`
}

// KafkaConsumerGroup configures consuming a topic through a consumer group.
type KafkaConsumerGroup struct {
	// GroupName is the consumer group ID.
	// +optional
	GroupName string `json:"groupName"`
	// Oldest starts a new group at the oldest offset instead of the newest.
	// +optional
	Oldest bool `json:"oldest,omitempty"`
	// RebalanceStrategy is one of "range" (the default), "roundrobin" or
	// "sticky".
	// +optional
	RebalanceStrategy string `json:"rebalanceStrategy"`
}

// AWSMSKIAMConfig authenticates a Kafka client to Amazon MSK with AWS IAM
// credentials (SASL/OAUTHBEARER), taken from the pod's environment: IRSA web
// identity, instance profile or static variables.
type AWSMSKIAMConfig struct {
	// Region is the AWS region of the MSK cluster, e.g. "us-east-1".
	// +optional
	Region string `json:"region"`
}
