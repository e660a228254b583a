package validation

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// validateSpec validates an EventSource named es with spec.
func validateSpec(spec v1alpha1.EventSourceSpec) Result {
	return ValidateEventSource(&v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "es"}, Spec: spec}, DefaultSupport())
}

func TestValidateNATSSource(t *testing.T) {
	const p = "spec.nats[orders]"
	sel := amqpSecret
	tests := []struct {
		name   string
		mutate func(c *v1alpha1.NATSEventsSource)
		errs   []string
		warns  []string
	}{
		{name: "valid", mutate: func(*v1alpha1.NATSEventsSource) {}},
		{name: "valid with everything", mutate: func(c *v1alpha1.NATSEventsSource) {
			c.URL, c.Queue, c.JSONBody = "tls://a:4222,nats://b:4222", ptr("workers"), true
			c.TLS = &v1alpha1.TLSConfig{CACertSecret: sel("nats", "ca")}
			c.Auth = &v1alpha1.NATSAuth{NKey: sel("nats", "seed")}
			c.ConnectionBackoff = &v1alpha1.Backoff{Steps: 3}
			c.Filter = &v1alpha1.EventSourceFilter{Expression: "body.n > 1"}
		}},
		{name: "nothing set", mutate: func(c *v1alpha1.NATSEventsSource) { *c = v1alpha1.NATSEventsSource{} }, errs: []string{
			p + ".url: url is required: the NATS server, e.g. nats://nats:4222",
			p + ".subject: subject is required: the subject to subscribe to, e.g. orders.>",
		}},
		{name: "bad url, subject and queue", mutate: func(c *v1alpha1.NATSEventsSource) {
			c.URL, c.Subject, c.Queue = "http://nats:4222", "orders..new", ptr("")
		}, errs: []string{
			p + `.url: "http://nats:4222" is not a NATS server URL (want nats://, tls://, ws:// or wss:// with a host)`,
			p + `.subject: "orders..new" is not a NATS subject (tokens separated by dots, no spaces)`,
		}, warns: []string{p + ".queue: queue is empty: a plain subscription, as in Argo (every replica gets every message)"}},
		{name: "incomplete auth and tls", mutate: func(c *v1alpha1.NATSEventsSource) {
			c.Auth = &v1alpha1.NATSAuth{Basic: &v1alpha1.BasicAuth{Username: sel("nats", "")}, Token: sel("nats", "token")}
			c.TLS = &v1alpha1.TLSConfig{}
			c.ConnectionBackoff = &v1alpha1.Backoff{Steps: -1}
		}, errs: []string{
			p + ".tls: set caCertSecret, clientCertSecret and clientKeySecret, enabled (the system's trusted certificates), or insecureSkipVerify",
			p + ".auth.basic.username.key: key is required: the Secret key holding the user name",
			p + ".auth.basic.password: password is required: the Secret key holding the password",
		}, warns: []string{p + `.auth: basic, token are all set; only basic is used`, p + ".connectionBackoff.steps: steps is negative: the default number of steps is used, as in Argo"}},
		{
			name: "empty auth", mutate: func(c *v1alpha1.NATSEventsSource) { c.Auth = &v1alpha1.NATSAuth{} },
			errs: []string{p + ".auth: auth is empty: set one of basic, token, nkey or credential, or leave auth out"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := v1alpha1.NATSEventsSource{URL: "nats://nats:4222", Subject: "orders.>"}
			tt.mutate(&c)
			res := validateSpec(v1alpha1.EventSourceSpec{NATS: map[string]v1alpha1.NATSEventsSource{"orders": c}})
			requireResult(t, res, tt.errs, tt.warns)
		})
	}
}

func TestValidateMQTTSource(t *testing.T) {
	const p = "spec.mqtt[sensors]"
	tests := []struct {
		name   string
		mutate func(c *v1alpha1.MQTTEventSource)
		errs   []string
	}{
		{name: "valid", mutate: func(*v1alpha1.MQTTEventSource) {}},
		{name: "valid with everything", mutate: func(c *v1alpha1.MQTTEventSource) {
			c.URL, c.Topic = "ssl://broker:8883", "#"
			c.TLS = &v1alpha1.TLSConfig{InsecureSkipVerify: true}
			c.Auth = &v1alpha1.BasicAuth{Username: amqpSecret("m", "u"), Password: amqpSecret("m", "p")}
			c.Filter = &v1alpha1.EventSourceFilter{Expression: "body.celsius > 30"}
		}},
		{name: "nothing set", mutate: func(c *v1alpha1.MQTTEventSource) { *c = v1alpha1.MQTTEventSource{} }, errs: []string{
			p + ".url: url is required: the broker, e.g. tcp://mosquitto:1883",
			p + ".topic: topic is required: the topic filter to subscribe to, e.g. sensors/+/temperature",
			p + ".clientId: clientId is required: the client's id at the broker, which also names its persistent session",
		}},
		{name: "bad url", mutate: func(c *v1alpha1.MQTTEventSource) { c.URL = "http://u:pw@broker" }, errs: []string{
			p + `.url: "http://u:xxxxx@broker" is not an MQTT broker URL (want tcp://, ssl://, ws:// or wss:// with a host, e.g. tcp://mosquitto:1883)`,
		}},
		{name: "bad wildcards", mutate: func(c *v1alpha1.MQTTEventSource) { c.Topic = "a/#/b" }, errs: []string{
			p + ".topic: # must be a whole level and the last one, e.g. sensors/#",
		}},
		{name: "partial plus", mutate: func(c *v1alpha1.MQTTEventSource) { c.Topic = "a/b+/c" }, errs: []string{
			p + ".topic: + must be a whole level, e.g. sensors/+/temperature",
		}},
		{name: "half auth", mutate: func(c *v1alpha1.MQTTEventSource) { c.Auth = &v1alpha1.BasicAuth{Username: amqpSecret("m", "u")} }, errs: []string{
			p + ".auth.password: password is required: the Secret key holding the password",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := v1alpha1.MQTTEventSource{URL: "tcp://mosquitto:1883", Topic: "sensors/+/temperature", ClientID: "herald"}
			tt.mutate(&c)
			res := validateSpec(v1alpha1.EventSourceSpec{MQTT: map[string]v1alpha1.MQTTEventSource{"sensors": c}})
			requireResult(t, res, tt.errs, nil)
		})
	}
	t.Run("shared client id", func(t *testing.T) {
		c := v1alpha1.MQTTEventSource{URL: "tcp://mosquitto:1883", Topic: "a", ClientID: "herald"}
		res := validateSpec(v1alpha1.EventSourceSpec{MQTT: map[string]v1alpha1.MQTTEventSource{"one": c, "two": c}})
		requireResult(t, res, []string{
			`spec.mqtt[two].clientId: clientId "herald" is also used by spec.mqtt[one] on the same broker; the broker keeps one connection per client id`,
		}, nil)
	})
}

func TestValidateFileSource(t *testing.T) {
	const p = "spec.file[drops]"
	tests := []struct {
		name   string
		mutate func(c *v1alpha1.FileEventSource)
		errs   []string
	}{
		{name: "valid", mutate: func(*v1alpha1.FileEventSource) {}},
		{name: "valid by regexp", mutate: func(c *v1alpha1.FileEventSource) {
			c.EventType, c.WatchPathConfig.Path, c.WatchPathConfig.PathRegexp = "WRITE", "", `^in-\d+\.csv$`
			c.Filter = &v1alpha1.EventSourceFilter{Expression: "op == 2"}
		}},
		{name: "nothing set", mutate: func(c *v1alpha1.FileEventSource) { *c = v1alpha1.FileEventSource{} }, errs: []string{
			p + ".eventType: eventType is required (want CREATE, WRITE, REMOVE, RENAME or CHMOD)",
			p + ".watchPathConfig.directory: directory is required: the directory to watch, e.g. /data/in/",
			p + ".watchPathConfig: path or pathRegexp is required: the files to report, relative to directory",
		}},
		{name: "bad values", mutate: func(c *v1alpha1.FileEventSource) {
			c.EventType = "create"
			c.WatchPathConfig = v1alpha1.WatchPathConfig{Directory: "data", Path: "/abs", PathRegexp: "("}
		}, errs: []string{
			p + `.eventType: unknown eventType "create" (want CREATE, WRITE, REMOVE, RENAME or CHMOD, in upper case)`,
			p + ".watchPathConfig.directory: directory must be an absolute path, e.g. /data/in/",
			p + ".watchPathConfig.path: path must be relative to directory",
			p + ".watchPathConfig.pathRegexp: path and pathRegexp are both set; set only one",
			p + ".watchPathConfig.pathRegexp: invalid regular expression: error parsing regexp: missing closing ): `(`",
		}},
		{name: "polling", mutate: func(c *v1alpha1.FileEventSource) { c.Polling = true }, errs: []string{
			p + ".polling: unsupported: polling: Herald watches the directory through inotify; leave polling out",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := v1alpha1.FileEventSource{EventType: "CREATE", WatchPathConfig: v1alpha1.WatchPathConfig{Directory: "/data/in/", Path: "ready.flag"}}
			tt.mutate(&c)
			res := validateSpec(v1alpha1.EventSourceSpec{File: map[string]v1alpha1.FileEventSource{"drops": c}})
			requireResult(t, res, tt.errs, nil)
		})
	}
}
