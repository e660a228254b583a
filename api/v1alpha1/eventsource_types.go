package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EventSource declares one or more named event sources of one or more kinds
// (webhook, calendar, resource, ...) whose events are published to an EventBus.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=es
// +kubebuilder:printcolumn:name="Running",type=string,JSONPath=`.status.conditions[?(@.type=="Running")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Running")].reason`
// +kubebuilder:printcolumn:name="Published",type=integer,JSONPath=`.status.counts.eventsPublished`
// +kubebuilder:printcolumn:name="Errors",type=integer,JSONPath=`.status.counts.publishErrors`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type EventSource struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	// Spec lists the event sources and how their pod is run.
	Spec EventSourceSpec `json:"spec"`
	// Status reports the conditions the controller observed.
	// +optional
	Status EventSourceStatus `json:"status,omitempty"`
}

// EventSourceList is a list of EventSource objects.
//
// +kubebuilder:object:root=true
type EventSourceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata"`
	// Items are the EventSource objects of the list.
	Items []EventSource `json:"items"`
}

// EventSourceFilter drops events for which an expression over the event does
// not evaluate to true.
type EventSourceFilter struct {
	// Expression is evaluated against each event; only events for which it
	// holds are published.
	// +optional
	Expression string `json:"expression,omitempty"`
}

// EventSourceSpec is the desired state of an EventSource: the bus to publish
// to, how to run and expose the pod, and one map of named sources per kind.
// The map keys are the event names that Sensors depend on.
type EventSourceSpec struct {
	// EventBusName is the EventBus the events are published to; "default"
	// when empty.
	// +optional
	EventBusName string `json:"eventBusName,omitempty"`
	// Template overrides parts of the pod that runs the event sources.
	// +optional
	Template *Template `json:"template,omitempty"`
	// Service, when set, exposes the pod through a Kubernetes Service, which
	// HTTP-based sources need to be reachable.
	// +optional
	Service *Service `json:"service,omitempty"`
	// Minio watches buckets of a MinIO (S3-compatible) server.
	// +optional
	Minio map[string]S3Artifact `json:"minio,omitempty"`
	// Calendar emits events on a schedule or interval.
	// +optional
	Calendar map[string]CalendarEventSource `json:"calendar,omitempty"`
	// File watches files in a local directory.
	// +optional
	File map[string]FileEventSource `json:"file,omitempty"`
	// Resource watches Kubernetes objects.
	// +optional
	Resource map[string]ResourceEventSource `json:"resource,omitempty"`
	// Webhook receives plain HTTP requests.
	// +optional
	Webhook map[string]WebhookEventSource `json:"webhook,omitempty"`
	// AMQP consumes messages from an AMQP 0.9.1 broker such as RabbitMQ.
	// +optional
	AMQP map[string]AMQPEventSource `json:"amqp,omitempty"`
	// Kafka consumes messages from Kafka topics.
	// +optional
	Kafka map[string]KafkaEventSource `json:"kafka,omitempty"`
	// MQTT subscribes to MQTT topics.
	// +optional
	MQTT map[string]MQTTEventSource `json:"mqtt,omitempty"`
	// NATS subscribes to NATS subjects.
	// +optional
	NATS map[string]NATSEventsSource `json:"nats,omitempty"`
	// SNS receives AWS SNS notifications over HTTP.
	// +optional
	SNS map[string]SNSEventSource `json:"sns,omitempty"`
	// SQS polls AWS SQS queues.
	// +optional
	SQS map[string]SQSEventSource `json:"sqs,omitempty"`
	// PubSub consumes Google Cloud Pub/Sub subscriptions.
	// +optional
	PubSub map[string]PubSubEventSource `json:"pubSub,omitempty"`
	// Github receives GitHub webhooks.
	// +optional
	Github map[string]GithubEventSource `json:"github,omitempty"`
	// Gitlab receives GitLab webhooks.
	// +optional
	Gitlab map[string]GitlabEventSource `json:"gitlab,omitempty"`
	// HDFS watches files on an HDFS file system.
	// +optional
	HDFS map[string]HDFSEventSource `json:"hdfs,omitempty"`
	// Slack receives Slack Events API and interaction requests.
	// +optional
	Slack map[string]SlackEventSource `json:"slack,omitempty"`
	// StorageGrid receives NetApp StorageGRID bucket notifications.
	// +optional
	StorageGrid map[string]StorageGridEventSource `json:"storageGrid,omitempty"`
	// AzureEventsHub consumes Azure Event Hubs.
	// +optional
	AzureEventsHub map[string]AzureEventsHubEventSource `json:"azureEventsHub,omitempty"`
	// Stripe receives Stripe webhooks.
	// +optional
	Stripe map[string]StripeEventSource `json:"stripe,omitempty"`
	// Emitter subscribes to emitter.io channels.
	// +optional
	Emitter map[string]EmitterEventSource `json:"emitter,omitempty"`
	// Redis subscribes to Redis Pub/Sub channels.
	// +optional
	Redis map[string]RedisEventSource `json:"redis,omitempty"`
	// NSQ consumes NSQ topics.
	// +optional
	NSQ map[string]NSQEventSource `json:"nsq,omitempty"`
	// Pulsar consumes Apache Pulsar topics.
	// +optional
	Pulsar map[string]PulsarEventSource `json:"pulsar,omitempty"`
	// Generic receives events from an external gRPC server.
	// +optional
	Generic map[string]GenericEventSource `json:"generic,omitempty"`
	// Replicas is the number of pods to run; one when unset or below one.
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`
	// BitbucketServer receives Bitbucket Server (Data Center) webhooks.
	// +optional
	BitbucketServer map[string]BitbucketServerEventSource `json:"bitbucketserver,omitempty"`
	// Bitbucket receives Bitbucket Cloud webhooks.
	// +optional
	Bitbucket map[string]BitbucketEventSource `json:"bitbucket,omitempty"`
	// RedisStream reads Redis streams through a consumer group.
	// +optional
	RedisStream map[string]RedisStreamEventSource `json:"redisStream,omitempty"`
	// AzureServiceBus consumes Azure Service Bus queues or topic subscriptions.
	// +optional
	AzureServiceBus map[string]AzureServiceBusEventSource `json:"azureServiceBus,omitempty"`
	// AzureQueueStorage polls Azure Storage queues.
	// +optional
	AzureQueueStorage map[string]AzureQueueStorageEventSource `json:"azureQueueStorage,omitempty"`
	// SFTP polls a directory on an SFTP server.
	// +optional
	SFTP map[string]SFTPEventSource `json:"sftp,omitempty"`
	// Gerrit receives Gerrit webhooks.
	// +optional
	Gerrit map[string]GerritEventSource `json:"gerrit,omitempty"`
	// MNS polls Alibaba Cloud MNS queues.
	// +optional
	MNS map[string]MNSEventSource `json:"mns,omitempty"`
}

// Service describes the ClusterIP Service put in front of the event source pod.
type Service struct {
	// Metadata adds labels and annotations to the Service.
	// +optional
	Metadata *Metadata `json:"metadata,omitempty"`
	// Ports are the ports the Service exposes.
	// +optional
	Ports []corev1.ServicePort `json:"ports,omitempty"`
	// ClusterIP pins the Service's cluster IP; "None" makes it headless.
	// +optional
	ClusterIP string `json:"clusterIP,omitempty"`
}

// Condition types an EventSource reports in its status.
const (
	// EventSourceConditionSourcesProvided is true when the spec declares at
	// least one valid event source.
	EventSourceConditionSourcesProvided ConditionType = "SourcesProvided"
	// EventSourceConditionDeployed is true once the pods that run the event
	// sources have been created.
	EventSourceConditionDeployed ConditionType = "Deployed"
)

// EventSourceStatus is the observed state of an EventSource.
type EventSourceStatus struct {
	Status `json:",inline"`
	// Counts are Herald's: what the EventSource did since it last started
	// on its replica (not in Argo Events).
	// +optional
	Counts *EventSourceCounts `json:"counts,omitempty"`
}

// EventSourceCounts are the totals of an EventSource's events, as the
// herald_eventsource_* metrics count them.
type EventSourceCounts struct {
	// EventsPublished counts the events the bus stored.
	EventsPublished int64 `json:"eventsPublished"`
	// PublishErrors counts the events the bus refused (the source retried
	// or answered its client with an error).
	PublishErrors int64 `json:"publishErrors"`
	// Restarts counts the times a source stopped with an error and was
	// started again.
	Restarts int64 `json:"restarts"`
}
