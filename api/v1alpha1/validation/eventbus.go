package validation

import (
	"errors"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// ValidateEventBus checks a decoded EventBus: its name and that it sets
// exactly one bus kind with what that kind needs. A NATS Streaming bus is
// accepted with a warning, as Herald runs it on embedded JetStream; a kafka
// bus is unsupported.
func ValidateEventBus(eb *v1alpha1.EventBus) Result {
	var r report
	spec := field.NewPath("spec")
	if eb == nil {
		r.add(required(spec, "no event bus given"))
		return r.Result
	}
	validateObjectName(&r, eb.Name, eb.GenerateName)
	var found []string
	if n := eb.Spec.NATS; n != nil {
		found = append(found, "nats")
		validateNATSBus(&r, spec.Child("nats"), n)
	}
	if js := eb.Spec.JetStream; js != nil {
		found = append(found, "jetstream")
		p := spec.Child("jetstream")
		if js.Version == "" {
			r.add(required(p.Child("version"), "version is required: the NATS version to run, e.g. \"2.10.10\" or \"latest\""))
		}
		if js.Replicas != nil && (*js.Replicas <= 0 || *js.Replicas == 2) {
			r.add(invalid(p.Child("replicas"), *js.Replicas, "replicas must be 1 or at least 3"))
		}
		if js.StreamConfig != nil {
			validateStreamConfig(&r, p.Child("streamConfig"), *js.StreamConfig)
		}
		if js.Settings != nil {
			validateSettings(&r, p.Child("settings"), *js.Settings)
		}
		if js.MaxPayload != nil {
			if _, err := ParseMaxPayload(*js.MaxPayload); err != nil {
				r.add(invalid(p.Child("maxPayload"), *js.MaxPayload, "%v", err))
			}
		}
		if len(js.StartArgs) > 0 {
			r.warn(invalid(p.Child("startArgs"), field.OmitValueType{},
				"not applied: Herald's bus runs in its own process, not as a nats-server command (its logs follow --log-level)"))
		}
	}
	if x := eb.Spec.JetStreamExotic; x != nil {
		found = append(found, "jetstreamExotic")
		if x.URL == "" {
			r.add(required(spec.Child("jetstreamExotic", "url"), "url is required: the address of the JetStream server"))
		}
		validateStreamConfig(&r, spec.Child("jetstreamExotic", "streamConfig"), x.StreamConfig)
		if x.Auth != nil {
			validateBusAuth(&r, spec.Child("jetstreamExotic", "auth"), *x.Auth)
		}
	}
	if eb.Spec.Kafka != nil {
		found = append(found, "kafka")
		r.add(unsupported(spec.Child("kafka"), "kafka event bus"))
	}
	switch len(found) {
	case 0:
		r.add(required(spec, "no event bus kind set (want one of jetstream, jetstreamExotic, nats, kafka)"))
	case 1:
	default:
		r.add(invalid(spec, field.OmitValueType{}, "more than one event bus kind set: %s (want exactly one)", strings.Join(found, ", ")))
	}
	return r.Result
}

// validateNATSBus checks a NATS Streaming bus as Argo does, and warns that
// Herald replaces it with embedded JetStream.
func validateNATSBus(r *report, path *field.Path, n *v1alpha1.NATSBus) {
	r.warn(invalid(path, field.OmitValueType{}, "NATS Streaming is deprecated; Herald runs this bus on embedded JetStream instead"))
	switch {
	case n.Native != nil && n.Exotic != nil:
		r.add(invalid(path, field.OmitValueType{}, "native and exotic cannot both be set (want one)"))
	case n.Native == nil && n.Exotic == nil:
		r.add(required(path, "native or exotic is required"))
	}
	if x := n.Exotic; x != nil {
		p := path.Child("exotic")
		if x.ClusterID == nil {
			r.add(required(p.Child("clusterID"), "clusterID is required: the NATS Streaming cluster id"))
		}
		if x.URL == "" {
			r.add(required(p.Child("url"), "url is required: the address of the NATS Streaming server"))
		}
	}
}

// validateBusAuth checks the credentials' kind of a bus Herald connects to.
func validateBusAuth(r *report, path *field.Path, a v1alpha1.AuthStrategy) {
	switch a {
	case v1alpha1.AuthStrategyNone, v1alpha1.AuthStrategyToken, v1alpha1.AuthStrategyBasic, v1alpha1.AuthStrategyJWT:
	default:
		r.add(invalid(path, a, "unknown auth %q (want none, token, basic or jwt)", a))
	}
}

// validateStreamConfig checks a streamConfig as the bus will read it.
func validateStreamConfig(r *report, path *field.Path, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	c, err := ParseStreamConfig(text)
	switch {
	case errors.Is(err, errStreamPolicy):
		r.add(unsupported(path, "%v", err))
	case err != nil:
		r.add(invalid(path, field.OmitValueType{}, "%v", err))
	case len(c.Ignored) > 0:
		r.warn(invalid(path, field.OmitValueType{}, "%s not applied: Herald applies %s", strings.Join(c.Ignored, ", "), strings.Join(streamConfigKeys, ", ")))
	}
}

// validateSettings checks jetstream settings as the embedded bus will read
// them, and warns of the keys it does not apply.
func validateSettings(r *report, path *field.Path, text string) {
	s, err := ParseJetStreamSettings(text)
	if err != nil {
		r.add(invalid(path, field.OmitValueType{}, "%v", err))
		return
	}
	if len(s.Ignored) > 0 {
		r.warn(invalid(path, field.OmitValueType{}, "%s not applied: Herald's embedded bus applies %s",
			strings.Join(s.Ignored, ", "), strings.Join(appliedSettings, ", ")))
	}
}
