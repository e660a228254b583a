package validation

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// validateKafkaTrigger checks a kafka trigger as Argo does (url, topic and
// payload) and what Herald runs of it. A field that a parameter (the
// trigger's own, or a trigger-level one in rewritten) writes is only known
// when an event comes and is not checked. Its parameters and payload are
// checked by the caller.
func validateKafkaTrigger(r *report, path *field.Path, k *v1alpha1.KafkaTrigger, rewritten map[string]bool) {
	sets := func(field string) bool { return rewritten["kafka."+field] || paramSets(k.Parameters, field) }
	if !sets("url") {
		validateKafkaURL(r, path.Child("url"), k.URL)
	}
	if k.Topic == "" && !sets("topic") {
		r.add(required(path.Child("topic"), "topic is required: the Kafka topic to publish to"))
	}
	if k.Payload == nil {
		r.add(required(path.Child("payload"), "payload is required: the parameters that build the record's value"))
	}
	if k.RequiredAcks < -1 || k.RequiredAcks > 1 {
		r.add(invalid(path.Child("requiredAcks"), k.RequiredAcks, "requiredAcks must be 1 (the leader), -1 (every in-sync replica) or 0 (the default, 1)"))
	}
	if k.FlushFrequency < 0 {
		r.add(invalid(path.Child("flushFrequency"), k.FlushFrequency, "flushFrequency must not be negative"))
	}
	if k.Partition != 0 {
		r.warn(invalid(path.Child("partition"), k.Partition, "partition is deprecated and ignored, as in Argo; set partitioningKey to choose the partition"))
	}
	validateKafkaConn(r, path, k.Version, k.TLS, k.SASL)
	if k.SchemaRegistry != nil {
		r.add(unsupported(path.Child("schemaRegistry"), "kafka schemaRegistry (Avro encoding)"))
	}
	validateSecureHeaders(r, path.Child("secureHeaders"), k.SecureHeaders)
}

// validateSecureHeaders checks that each secure header reads its value from
// a Secret (ConfigMaps are not supported).
func validateSecureHeaders(r *report, path *field.Path, headers []*v1alpha1.SecureHeader) {
	for i, h := range headers {
		hp := path.Index(i)
		switch {
		case h == nil || h.ValueFrom == nil:
			r.add(required(hp.Child("valueFrom"), "valueFrom is required: the Secret key holding the header value"))
		case h.ValueFrom.SecretKeyRef == nil:
			r.add(unsupported(hp.Child("valueFrom"), "secure header values from a ConfigMap (want secretKeyRef)"))
		default:
			validateSecretKey(r, hp.Child("valueFrom", "secretKeyRef"), h.ValueFrom.SecretKeyRef, "the header value")
		}
	}
}
