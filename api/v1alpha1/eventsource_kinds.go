package v1alpha1

import "sort"

// EventSourceType names a kind of event source as it appears in the type
// attribute of the events it emits. For most kinds it equals the JSON name
// of the kind's map in EventSourceSpec; PubSubEvent and StorageGridEvent are
// spelled in lower case, as Argo does.
type EventSourceType string

// The event source types, one per map of EventSourceSpec.
const (
	// MinioEvent is the type of "minio" sources.
	MinioEvent EventSourceType = "minio"
	// CalendarEvent is the type of "calendar" sources.
	CalendarEvent EventSourceType = "calendar"
	// FileEvent is the type of "file" sources.
	FileEvent EventSourceType = "file"
	// ResourceEvent is the type of "resource" sources.
	ResourceEvent EventSourceType = "resource"
	// WebhookEvent is the type of "webhook" sources.
	WebhookEvent EventSourceType = "webhook"
	// AMQPEvent is the type of "amqp" sources.
	AMQPEvent EventSourceType = "amqp"
	// KafkaEvent is the type of "kafka" sources.
	KafkaEvent EventSourceType = "kafka"
	// MQTTEvent is the type of "mqtt" sources.
	MQTTEvent EventSourceType = "mqtt"
	// NATSEvent is the type of "nats" sources.
	NATSEvent EventSourceType = "nats"
	// SNSEvent is the type of "sns" sources.
	SNSEvent EventSourceType = "sns"
	// SQSEvent is the type of "sqs" sources.
	SQSEvent EventSourceType = "sqs"
	// PubSubEvent is the type of "pubSub" sources.
	PubSubEvent EventSourceType = "pubsub"
	// GithubEvent is the type of "github" sources.
	GithubEvent EventSourceType = "github"
	// GitlabEvent is the type of "gitlab" sources.
	GitlabEvent EventSourceType = "gitlab"
	// HDFSEvent is the type of "hdfs" sources.
	HDFSEvent EventSourceType = "hdfs"
	// SlackEvent is the type of "slack" sources.
	SlackEvent EventSourceType = "slack"
	// StorageGridEvent is the type of "storageGrid" sources.
	StorageGridEvent EventSourceType = "storagegrid"
	// AzureEventsHub is the type of "azureEventsHub" sources.
	AzureEventsHub EventSourceType = "azureEventsHub"
	// StripeEvent is the type of "stripe" sources.
	StripeEvent EventSourceType = "stripe"
	// EmitterEvent is the type of "emitter" sources.
	EmitterEvent EventSourceType = "emitter"
	// RedisEvent is the type of "redis" sources.
	RedisEvent EventSourceType = "redis"
	// NSQEvent is the type of "nsq" sources.
	NSQEvent EventSourceType = "nsq"
	// PulsarEvent is the type of "pulsar" sources.
	PulsarEvent EventSourceType = "pulsar"
	// GenericEvent is the type of "generic" sources.
	GenericEvent EventSourceType = "generic"
	// BitbucketServerEvent is the type of "bitbucketserver" sources.
	BitbucketServerEvent EventSourceType = "bitbucketserver"
	// BitbucketEvent is the type of "bitbucket" sources.
	BitbucketEvent EventSourceType = "bitbucket"
	// RedisStreamEvent is the type of "redisStream" sources.
	RedisStreamEvent EventSourceType = "redisStream"
	// AzureServiceBus is the type of "azureServiceBus" sources.
	AzureServiceBus EventSourceType = "azureServiceBus"
	// AzureQueueStorage is the type of "azureQueueStorage" sources.
	AzureQueueStorage EventSourceType = "azureQueueStorage"
	// SFTPEvent is the type of "sftp" sources.
	SFTPEvent EventSourceType = "sftp"
	// GerritEvent is the type of "gerrit" sources.
	GerritEvent EventSourceType = "gerrit"
	// MNSEvent is the type of "mns" sources.
	MNSEvent EventSourceType = "mns"
)

// SourceKinds lists the JSON names of the event source maps in
// EventSourceSpec, e.g. "webhook", "calendar", in the order the fields are
// declared.
var SourceKinds = []string{
	"minio", "calendar", "file", "resource", "webhook", "amqp", "kafka", "mqtt",
	"nats", "sns", "sqs", "pubSub", "github", "gitlab", "hdfs", "slack",
	"storageGrid", "azureEventsHub", "stripe", "emitter", "redis", "nsq",
	"pulsar", "generic", "bitbucketserver", "bitbucket", "redisStream",
	"azureServiceBus", "azureQueueStorage", "sftp", "gerrit", "mns",
}

// EventNames returns, for each source kind that has at least one entry, the
// sorted event names (the map keys) declared under it. Kinds are keyed by
// their JSON name, as listed in SourceKinds.
func (s *EventSourceSpec) EventNames() map[string][]string {
	out := map[string][]string{}
	add := func(kind string, names []string) {
		if len(names) > 0 {
			out[kind] = names
		}
	}
	add("minio", sortedKeys(s.Minio))
	add("calendar", sortedKeys(s.Calendar))
	add("file", sortedKeys(s.File))
	add("resource", sortedKeys(s.Resource))
	add("webhook", sortedKeys(s.Webhook))
	add("amqp", sortedKeys(s.AMQP))
	add("kafka", sortedKeys(s.Kafka))
	add("mqtt", sortedKeys(s.MQTT))
	add("nats", sortedKeys(s.NATS))
	add("sns", sortedKeys(s.SNS))
	add("sqs", sortedKeys(s.SQS))
	add("pubSub", sortedKeys(s.PubSub))
	add("github", sortedKeys(s.Github))
	add("gitlab", sortedKeys(s.Gitlab))
	add("hdfs", sortedKeys(s.HDFS))
	add("slack", sortedKeys(s.Slack))
	add("storageGrid", sortedKeys(s.StorageGrid))
	add("azureEventsHub", sortedKeys(s.AzureEventsHub))
	add("stripe", sortedKeys(s.Stripe))
	add("emitter", sortedKeys(s.Emitter))
	add("redis", sortedKeys(s.Redis))
	add("nsq", sortedKeys(s.NSQ))
	add("pulsar", sortedKeys(s.Pulsar))
	add("generic", sortedKeys(s.Generic))
	add("bitbucketserver", sortedKeys(s.BitbucketServer))
	add("bitbucket", sortedKeys(s.Bitbucket))
	add("redisStream", sortedKeys(s.RedisStream))
	add("azureServiceBus", sortedKeys(s.AzureServiceBus))
	add("azureQueueStorage", sortedKeys(s.AzureQueueStorage))
	add("sftp", sortedKeys(s.SFTP))
	add("gerrit", sortedKeys(s.Gerrit))
	add("mns", sortedKeys(s.MNS))
	return out
}

// sortedKeys returns the keys of m in ascending order, or nil when m is empty.
func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
