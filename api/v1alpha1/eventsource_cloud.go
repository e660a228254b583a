package v1alpha1

import corev1 "k8s.io/api/core/v1"

// SNSEventSource subscribes an HTTP endpoint to an AWS SNS topic and turns
// the notifications it receives into events.
type SNSEventSource struct {
	// Webhook configures the HTTP endpoint SNS calls.
	// +optional
	Webhook *WebhookContext `json:"webhook,omitempty"`
	// TopicArn is the ARN of the topic to subscribe to.
	// +optional
	TopicArn string `json:"topicArn"`
	// AccessKey selects the AWS access key ID.
	// +optional
	AccessKey *corev1.SecretKeySelector `json:"accessKey,omitempty"`
	// SecretKey selects the AWS secret access key.
	// +optional
	SecretKey *corev1.SecretKeySelector `json:"secretKey,omitempty"`
	// Region is the AWS region of the topic.
	// +optional
	Region string `json:"region"`
	// RoleARN is a role to assume for the AWS calls.
	// +optional
	RoleARN string `json:"roleARN,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// ValidateSignature checks the SNS signature of each notification.
	// +optional
	ValidateSignature bool `json:"validateSignature,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// Endpoint overrides the SNS API endpoint, e.g. for LocalStack.
	// +optional
	Endpoint string `json:"endpoint"`
}

// SQSEventSource long-polls an AWS SQS queue.
type SQSEventSource struct {
	// AccessKey selects the AWS access key ID.
	// +optional
	AccessKey *corev1.SecretKeySelector `json:"accessKey,omitempty"`
	// SecretKey selects the AWS secret access key.
	// +optional
	SecretKey *corev1.SecretKeySelector `json:"secretKey,omitempty"`
	// Region is the AWS region of the queue.
	// +optional
	Region string `json:"region"`
	// Queue is the queue name.
	// +optional
	Queue string `json:"queue"`
	// WaitTimeSeconds is how long one receive call waits for a message.
	// +optional
	WaitTimeSeconds int64 `json:"waitTimeSeconds"`
	// RoleARN is a role to assume for the AWS calls.
	// +optional
	RoleARN string `json:"roleARN,omitempty"`
	// JSONBody marks message bodies as JSON so they are embedded as objects.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// QueueAccountID is the AWS account owning the queue, when not the caller's.
	// +optional
	QueueAccountID string `json:"queueAccountId,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// DLQ leaves messages that cannot be processed unacknowledged, so the
	// queue's redrive policy moves them to its dead-letter queue.
	// +optional
	DLQ bool `json:"dlq,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// Endpoint overrides the SQS API endpoint, e.g. for LocalStack.
	// +optional
	Endpoint string `json:"endpoint"`
	// SessionToken selects an STS session token for temporary credentials.
	// +optional
	SessionToken *corev1.SecretKeySelector `json:"sessionToken,omitempty"`
}

// PubSubEventSource consumes a Google Cloud Pub/Sub subscription, creating it
// when needed.
type PubSubEventSource struct {
	// ProjectID is the project of the subscription; taken from the
	// environment on GCP when empty.
	// +optional
	ProjectID string `json:"projectID"`
	// TopicProjectID is the project of the topic; ProjectID when empty.
	// +optional
	TopicProjectID string `json:"topicProjectID"`
	// Topic the subscription belongs to; needed to create a subscription.
	// +optional
	Topic string `json:"topic"`
	// SubscriptionID names an existing subscription; a name derived from
	// the spec is used when empty.
	// +optional
	SubscriptionID string `json:"subscriptionID"`
	// CredentialSecret selects a service account JSON key; Workload Identity
	// is used when unset.
	// +optional
	CredentialSecret *corev1.SecretKeySelector `json:"credentialSecret,omitempty"`
	// DeleteSubscriptionOnFinish deletes the subscription when the source stops.
	// +optional
	DeleteSubscriptionOnFinish bool `json:"deleteSubscriptionOnFinish,omitempty"`
	// JSONBody marks message data as JSON so it is embedded as an object.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
}

// AzureEventsHubEventSource consumes an Azure Event Hub.
type AzureEventsHubEventSource struct {
	// FQDN is the fully qualified name of the Event Hubs namespace.
	// +optional
	FQDN string `json:"fqdn"`
	// SharedAccessKeyName selects the SAS key name; Azure AD credentials are
	// used when both SAS fields are unset.
	// +optional
	SharedAccessKeyName *corev1.SecretKeySelector `json:"sharedAccessKeyName,omitempty"`
	// SharedAccessKey selects the SAS key value.
	// +optional
	SharedAccessKey *corev1.SecretKeySelector `json:"sharedAccessKey,omitempty"`
	// HubName is the Event Hub name.
	// +optional
	HubName string `json:"hubName"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
}

// AzureServiceBusEventSource consumes an Azure Service Bus queue or topic
// subscription.
type AzureServiceBusEventSource struct {
	// ConnectionString selects the namespace connection string; Azure AD
	// credentials with FullyQualifiedNamespace are used when unset.
	// +optional
	ConnectionString *corev1.SecretKeySelector `json:"connectionString,omitempty"`
	// QueueName is the queue to consume; set it or TopicName.
	// +optional
	QueueName string `json:"queueName"`
	// TopicName is the topic to consume, with SubscriptionName.
	// +optional
	TopicName string `json:"topicName"`
	// SubscriptionName is the topic subscription to consume.
	// +optional
	SubscriptionName string `json:"subscriptionName"`
	// TLS configures the connection.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// JSONBody marks message bodies as JSON so they are embedded as objects.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// FullyQualifiedNamespace is the namespace host name, used with Azure AD
	// credentials and ignored with ConnectionString.
	// +optional
	FullyQualifiedNamespace string `json:"fullyQualifiedNamespace,omitempty"`
	// DeferDelete locks messages and completes them only after they were
	// processed, instead of deleting them on receipt.
	// +optional
	DeferDelete bool `json:"deferDelete,omitempty"`
}

// AzureQueueStorageEventSource polls an Azure Storage queue.
type AzureQueueStorageEventSource struct {
	// StorageAccountName is the storage account, used with Azure AD
	// credentials and ignored with ConnectionString.
	// +optional
	StorageAccountName string `json:"storageAccountName,omitempty"`
	// ConnectionString selects the storage connection string.
	// +optional
	ConnectionString *corev1.SecretKeySelector `json:"connectionString,omitempty"`
	// QueueName is the queue to poll.
	// +optional
	QueueName string `json:"queueName"`
	// JSONBody marks messages as JSON so they are embedded as objects.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// DLQ leaves messages that cannot be processed in the queue, so they
	// can be moved to a dead-letter queue.
	// +optional
	DLQ bool `json:"dlq,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// DecodeMessage base64-decodes messages before JSONBody is applied.
	// +optional
	DecodeMessage bool `json:"decodeMessage,omitempty"`
	// WaitTimeInSeconds is the pause after an empty poll; 3 when unset.
	// +optional
	WaitTimeInSeconds *int32 `json:"waitTimeInSeconds,omitempty"`
}

// MNSEventSource polls an Alibaba Cloud MNS queue.
type MNSEventSource struct {
	// AccessKey selects the Alibaba Cloud access key ID.
	// +optional
	AccessKey *corev1.SecretKeySelector `json:"accessKey,omitempty"`
	// SecretKey selects the Alibaba Cloud access key secret.
	// +optional
	SecretKey *corev1.SecretKeySelector `json:"secretKey,omitempty"`
	// Queue is the queue name.
	// +optional
	Queue string `json:"queue"`
	// JSONBody marks message bodies as JSON so they are embedded as objects.
	// +optional
	JSONBody bool `json:"jsonBody,omitempty"`
	// Endpoint is the MNS endpoint to connect to.
	// +optional
	Endpoint string `json:"endpoint"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
}
