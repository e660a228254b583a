package validation

import (
	"strconv"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// kafkaRebalanceStrategies are the values of consumerGroup.rebalanceStrategy.
var kafkaRebalanceStrategies = map[string]bool{"": true, "range": true, "roundrobin": true, "sticky": true}

// validateKafkaSources checks each kafka event: brokers, topic, a partition
// or a consumer group, and the connection setup Herald runs.
func validateKafkaSources(r *report, path *field.Path, sources map[string]v1alpha1.KafkaEventSource) {
	for _, name := range sortedKeys(sources) {
		k := sources[name]
		p := path.Key(name)
		validateKafkaURL(r, p.Child("url"), k.URL)
		if k.Topic == "" {
			r.add(required(p.Child("topic"), "topic is required: the Kafka topic to consume"))
		}
		if g := k.ConsumerGroup; g != nil {
			gp := p.Child("consumerGroup")
			if g.GroupName == "" {
				r.add(required(gp.Child("groupName"), "groupName is required: the consumer group id"))
			}
			if !kafkaRebalanceStrategies[g.RebalanceStrategy] {
				r.warn(invalid(gp.Child("rebalanceStrategy"), g.RebalanceStrategy, "unknown rebalanceStrategy %q, taken as range as Argo does (want range, roundrobin or sticky)", g.RebalanceStrategy))
			}
			if k.Partition != "" {
				r.warn(invalid(p.Child("partition"), k.Partition, "partition is ignored: the consumer group assigns the partitions"))
			}
		} else {
			switch n, err := strconv.ParseInt(k.Partition, 10, 32); {
			case k.Partition == "":
				r.add(required(p.Child("partition"), "partition is required without a consumerGroup: the partition number to read, e.g. \"0\""))
			case err != nil || n < 0:
				r.add(invalid(p.Child("partition"), k.Partition, "partition %q is not a partition number (want \"0\", \"1\", ...)", k.Partition))
			}
		}
		if k.LimitEventsPerSecond < 0 {
			r.warn(invalid(p.Child("limitEventsPerSecond"), k.LimitEventsPerSecond, "limitEventsPerSecond is negative: no limit, as in Argo"))
		}
		validateKafkaConn(r, p, k.Version, k.TLS, k.SASL)
		if k.ConnectionBackoff != nil {
			validateBackoff(r, p.Child("connectionBackoff"), k.ConnectionBackoff)
		}
		if k.Config != "" {
			r.add(unsupported(p.Child("config"), "kafka config (Sarama client settings)"))
		}
		if k.SchemaRegistry != nil {
			r.add(unsupported(p.Child("schemaRegistry"), "kafka schemaRegistry (Avro decoding)"))
		}
		if k.AWSMSKIAMAuth != nil {
			r.add(unsupported(p.Child("awsMskIamAuth"), "kafka awsMskIamAuth (AWS IAM authentication)"))
		}
		if k.Filter != nil {
			validateSourceFilter(r, p.Child("filter"), k.Filter)
		}
	}
}
