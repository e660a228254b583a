package validation

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestValidateKafkaSource(t *testing.T) {
	const p = "spec.kafka[orders]"
	secret := amqpSecret
	tests := []struct {
		name   string
		mutate func(c *v1alpha1.KafkaEventSource)
		errs   []string
		warns  []string
	}{
		{name: "valid partition", mutate: func(*v1alpha1.KafkaEventSource) {}},
		{name: "valid group with everything", mutate: func(c *v1alpha1.KafkaEventSource) {
			c.Partition = ""
			c.URL = "a:9092, b:9093"
			c.ConsumerGroup = &v1alpha1.KafkaConsumerGroup{GroupName: "g", Oldest: true, RebalanceStrategy: "sticky"}
			c.Version = "2.8.0"
			c.TLS = &v1alpha1.TLSConfig{CACertSecret: secret("kafka", "ca")}
			c.SASL = &v1alpha1.SASLConfig{Mechanism: "SCRAM-SHA-512", UserSecret: secret("kafka", "u"), PasswordSecret: secret("kafka", "p")}
			c.LimitEventsPerSecond = 10
			c.Filter = &v1alpha1.EventSourceFilter{Expression: "body.n > 1"}
		}},
		{name: "nothing set", mutate: func(c *v1alpha1.KafkaEventSource) { *c = v1alpha1.KafkaEventSource{} }, errs: []string{
			p + ".url: url is required: the brokers, comma separated, e.g. kafka:9092",
			p + ".topic: topic is required: the Kafka topic to consume",
			p + `.partition: partition is required without a consumerGroup: the partition number to read, e.g. "0"`,
		}},
		{name: "bad values", mutate: func(c *v1alpha1.KafkaEventSource) {
			c.URL = "kafka://a:9092"
			c.Partition = "first"
			c.Version = "latest"
			c.LimitEventsPerSecond = -1
			c.SASL = &v1alpha1.SASLConfig{Mechanism: "MD5"}
			c.ConnectionBackoff = &v1alpha1.Backoff{Steps: -1}
		}, errs: []string{
			p + `.url: "kafka://a:9092" is not a broker address (want host:port, e.g. kafka:9092)`,
			p + `.partition: partition "first" is not a partition number (want "0", "1", ...)`,
			p + `.version: "latest" is not a Kafka version (want e.g. 2.8.0)`,
			p + `.sasl.mechanism: unknown SASL mechanism "MD5" (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`,
			p + ".sasl.userSecret: userSecret is required with sasl",
			p + ".sasl.passwordSecret: passwordSecret is required with sasl",
		}, warns: []string{
			p + ".limitEventsPerSecond: limitEventsPerSecond is negative: no limit, as in Argo",
			p + ".connectionBackoff.steps: steps is negative: the default number of steps is used, as in Argo",
		}},
		{name: "group without name, with partition", mutate: func(c *v1alpha1.KafkaEventSource) {
			c.ConsumerGroup = &v1alpha1.KafkaConsumerGroup{RebalanceStrategy: "fair"}
		}, errs: []string{
			p + ".consumerGroup.groupName: groupName is required: the consumer group id",
		}, warns: []string{
			p + `.consumerGroup.rebalanceStrategy: unknown rebalanceStrategy "fair", taken as range as Argo does (want range, roundrobin or sticky)`,
			p + ".partition: partition is ignored: the consumer group assigns the partitions",
		}},
		{name: "unsupported", mutate: func(c *v1alpha1.KafkaEventSource) {
			c.Config = "consumer:\n  fetch:\n    min: 1\n"
			c.SchemaRegistry = &v1alpha1.SchemaRegistryConfig{URL: "http://registry"}
			c.AWSMSKIAMAuth = &v1alpha1.AWSMSKIAMConfig{Region: "us-east-1"}
			c.SASL = &v1alpha1.SASLConfig{Mechanism: "GSSAPI", UserSecret: secret("k", "u"), PasswordSecret: secret("k", "p")}
		}, errs: []string{
			p + ".sasl.mechanism: unsupported: SASL mechanism GSSAPI (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)",
			p + ".config: unsupported: kafka config (Sarama client settings)",
			p + ".schemaRegistry: unsupported: kafka schemaRegistry (Avro decoding)",
			p + ".awsMskIamAuth: unsupported: kafka awsMskIamAuth (AWS IAM authentication)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := v1alpha1.KafkaEventSource{URL: "kafka:9092", Topic: "orders", Partition: "0"}
			tt.mutate(&c)
			es := &v1alpha1.EventSource{
				ObjectMeta: metav1.ObjectMeta{Name: "es"},
				Spec:       v1alpha1.EventSourceSpec{Kafka: map[string]v1alpha1.KafkaEventSource{"orders": c}},
			}
			requireResult(t, ValidateEventSource(es, DefaultSupport()), tt.errs, tt.warns)
		})
	}
}
