package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// kafkaTrig replaces the first trigger's kind with a valid kafka trigger
// and returns it.
func kafkaTrig(sn *v1alpha1.Sensor) *v1alpha1.KafkaTrigger {
	trig(sn).K8s = nil
	trig(sn).Kafka = &v1alpha1.KafkaTrigger{
		URL: "kafka.argo-events.svc:9092", Topic: "minio-events",
		Payload: []v1alpha1.TriggerParameter{{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "body"}}},
	}
	return trig(sn).Kafka
}

func TestValidateKafkaTrigger(t *testing.T) {
	const p = "spec.triggers[0].template.kafka"
	topicParam := v1alpha1.TriggerParameter{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "body.topic"}, Dest: "topic"}
	runSensorCases(t, []sensorCase{
		{name: "valid, whole-value payload", mutate: func(sn *v1alpha1.Sensor) { kafkaTrig(sn) }},
		{name: "valid with everything", mutate: func(sn *v1alpha1.Sensor) {
			k := kafkaTrig(sn)
			k.RequiredAcks, k.Compress, k.FlushFrequency, k.Version = -1, true, 100, "2.8.0"
			k.PartitioningKey = ptr("key")
			k.TLS = &v1alpha1.TLSConfig{InsecureSkipVerify: true}
			k.SASL = &v1alpha1.SASLConfig{UserSecret: amqpSecret("k", "u"), PasswordSecret: amqpSecret("k", "p")}
			k.Headers = map[string]string{"a": "b"}
			k.SecureHeaders = []*v1alpha1.SecureHeader{{Name: "t", ValueFrom: &v1alpha1.ValueFromSource{SecretKeyRef: amqpSecret("k", "t")}}}
		}},
		{name: "topic from a parameter", mutate: func(sn *v1alpha1.Sensor) {
			k := kafkaTrig(sn)
			k.Topic = ""
			k.Parameters = []v1alpha1.TriggerParameter{topicParam}
		}},
		{name: "nothing set", mutate: func(sn *v1alpha1.Sensor) { *kafkaTrig(sn) = v1alpha1.KafkaTrigger{} }, errs: []string{
			p + ".url: url is required: the brokers, comma separated, e.g. kafka:9092",
			p + ".topic: topic is required: the Kafka topic to publish to",
			p + ".payload: payload is required: the parameters that build the record's value",
		}},
		{name: "bad values", mutate: func(sn *v1alpha1.Sensor) {
			k := kafkaTrig(sn)
			k.RequiredAcks, k.FlushFrequency, k.Partition = 3, -1, 2
			k.SchemaRegistry = &v1alpha1.SchemaRegistryConfig{URL: "http://registry", SchemaID: 1}
			k.SecureHeaders = []*v1alpha1.SecureHeader{{Name: "t", ValueFrom: &v1alpha1.ValueFromSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{}}}}
		}, errs: []string{
			p + ".requiredAcks: requiredAcks must be 1 (the leader), -1 (every in-sync replica) or 0 (the default, 1)",
			p + ".flushFrequency: flushFrequency must not be negative",
			p + ".schemaRegistry: unsupported: kafka schemaRegistry (Avro encoding)",
			p + ".secureHeaders[0].valueFrom: unsupported: secure header values from a ConfigMap (want secretKeyRef)",
		}, warns: []string{
			p + ".partition: partition is deprecated and ignored, as in Argo; set partitioningKey to choose the partition",
		}},
	})
}
