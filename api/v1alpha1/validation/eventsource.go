package validation

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// ValidateEventSource checks a decoded EventSource: its name, that it
// declares at least one event, that event names are unique across kinds, and
// each event of a supported kind. Kinds that s does not support are reported
// once each as `unsupported: event source kind <kind>`.
func ValidateEventSource(es *v1alpha1.EventSource, s Support) Result {
	var r report
	spec := field.NewPath("spec")
	if es == nil {
		r.add(required(spec, "no event source given"))
		return r.Result
	}
	validateObjectName(&r, es.Name, es.GenerateName)
	kinds := es.Spec.EventNames()
	if len(kinds) == 0 {
		want := sortedKeys(s.EventSources)
		if len(want) == 0 {
			want = v1alpha1.SourceKinds
		}
		r.add(required(spec, "no event source declared (want at least one of %s)", strings.Join(want, ", ")))
		return r.Result
	}
	firstKind := map[string]string{}
	for _, kind := range v1alpha1.SourceKinds {
		names, ok := kinds[kind]
		if !ok {
			continue
		}
		for _, name := range names {
			p := spec.Child(kind).Key(name)
			if name == "" {
				r.add(invalid(p, name, "event name is empty"))
				continue
			}
			if other, seen := firstKind[name]; seen {
				r.add(duplicate(p, name, "event name %q is also declared under spec.%s; event names must be unique within an EventSource", name, other))
				continue
			}
			firstKind[name] = kind
		}
		if !s.EventSources[kind] {
			r.add(unsupported(spec.Child(kind), "event source kind %s", kind))
			continue
		}
		validateSourceKind(&r, spec.Child(kind), kind, &es.Spec)
	}
	return r.Result
}

// validateSourceKind checks every event of one supported kind.
func validateSourceKind(r *report, path *field.Path, kind string, spec *v1alpha1.EventSourceSpec) {
	switch kind {
	case "webhook":
		validateWebhookSources(r, path, spec.Webhook)
	case "amqp":
		validateAMQPSources(r, path, spec.AMQP)
	case "calendar":
		for _, name := range sortedKeys(spec.Calendar) {
			c := spec.Calendar[name]
			validateCalendar(r, path.Key(name), &c)
		}
	case "github":
		validateGithubSources(r, path, spec.Github)
	case "gitlab":
		validateGitlabSources(r, path, spec.Gitlab)
	case "nats":
		validateNATSSources(r, path, spec.NATS)
	case "mqtt":
		validateMQTTSources(r, path, spec.MQTT)
	case "file":
		validateFileSources(r, path, spec.File)
	case "kafka":
		validateKafkaSources(r, path, spec.Kafka)
	case "redis":
		validateRedisSources(r, path, spec.Redis)
	case "redisStream":
		validateRedisStreamSources(r, path, spec.RedisStream)
	case "resource":
		for _, name := range sortedKeys(spec.Resource) {
			res := spec.Resource[name]
			validateResource(r, path.Key(name), &res)
		}
	}
}
