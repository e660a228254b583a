package validation

import (
	"testing"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// natsTrig replaces the first trigger's kind with a valid nats trigger and
// returns it.
func natsTrig(sn *v1alpha1.Sensor) *v1alpha1.NATSTrigger {
	trig(sn).K8s = nil
	trig(sn).NATS = &v1alpha1.NATSTrigger{
		URL: "nats.argo-events.svc:4222", Subject: "minio-events",
		Payload: []v1alpha1.TriggerParameter{{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "body.key"}, Dest: "fileName"}},
	}
	return trig(sn).NATS
}

func TestValidateNATSTrigger(t *testing.T) {
	const p = "spec.triggers[0].template.nats"
	support := DefaultSupport()
	support.Triggers["nats"] = true
	subjectParam := v1alpha1.TriggerParameter{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "body.subject"}, Dest: "subject"}
	tests := []sensorCase{
		{name: "valid", mutate: func(sn *v1alpha1.Sensor) { natsTrig(sn) }},
		{name: "valid URL list with TLS", mutate: func(sn *v1alpha1.Sensor) {
			n := natsTrig(sn)
			n.URL = "nats://a:4222, tls://user:pass@b:4222,c"
			n.TLS = &v1alpha1.TLSConfig{InsecureSkipVerify: true}
		}},
		{name: "subject from a parameter", mutate: func(sn *v1alpha1.Sensor) {
			n := natsTrig(sn)
			n.Subject = ""
			n.Parameters = []v1alpha1.TriggerParameter{subjectParam}
		}},
		{name: "nothing set", mutate: func(sn *v1alpha1.Sensor) { *natsTrig(sn) = v1alpha1.NATSTrigger{} }, errs: []string{
			p + ".url: url is required: the NATS server, e.g. nats://nats:4222",
			p + ".subject: subject is required: the subject the message is published on",
			p + ".payload: payload is required: the parameters that build the message body",
		}},
		{name: "bad url and subject", mutate: func(sn *v1alpha1.Sensor) {
			n := natsTrig(sn)
			n.URL = "http://u:secret@nats:4222"
			n.Subject = "a..b"
		}, errs: []string{
			p + `.url: "http://u:xxxxx@nats:4222" is not a NATS server URL (want nats://, tls://, ws:// or wss:// with a host)`,
			p + `.subject: "a..b" is not a NATS subject (tokens separated by dots, no spaces)`,
		}},
		{
			name: "wildcard subject", mutate: func(sn *v1alpha1.Sensor) { natsTrig(sn).Subject = "events.>" },
			errs: []string{p + `.subject: "events.>" holds a wildcard; a message is published on a literal subject`},
		},
		{name: "auth and tls enabled (Argo after v1.9)", mutate: func(sn *v1alpha1.Sensor) {
			n := natsTrig(sn)
			n.Auth = &v1alpha1.NATSAuth{Token: amqpSecret("nats", "token")}
			n.TLS = &v1alpha1.TLSConfig{Enabled: true}
		}},
		{
			name: "empty auth", mutate: func(sn *v1alpha1.Sensor) { natsTrig(sn).Auth = &v1alpha1.NATSAuth{} },
			errs: []string{p + ".auth: auth is empty: set one of basic, token, nkey or credential, or leave auth out"},
		},
		{
			name: "empty tls", mutate: func(sn *v1alpha1.Sensor) { natsTrig(sn).TLS = &v1alpha1.TLSConfig{} },
			errs: []string{p + ".tls: set caCertSecret, clientCertSecret and clientKeySecret, enabled (the system's trusted certificates), or insecureSkipVerify"},
		},
	}
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) {
			sn := validSensor()
			c.mutate(sn)
			requireResult(t, ValidateSensor(sn, support), c.errs, c.warns)
		})
	}
}
