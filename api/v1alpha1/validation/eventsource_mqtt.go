package validation

import (
	"net/url"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// mqttURLSchemes are the schemes the MQTT client accepts in a broker URL.
var mqttURLSchemes = map[string]bool{
	"tcp": true, "mqtt": true, "ssl": true, "tls": true, "mqtts": true, "mqtt+ssl": true, "tcps": true, "ws": true, "wss": true, "unix": true,
}

// validateMQTTSources checks each mqtt event: a broker URL, a topic and a
// client id (Argo's checks), TLS, credentials and backoff; and that no two
// events of the EventSource share a client id on one broker (the broker
// would disconnect one whenever the other connects).
func validateMQTTSources(r *report, path *field.Path, sources map[string]v1alpha1.MQTTEventSource) {
	clients := map[string]string{}
	for _, name := range sortedKeys(sources) {
		c := sources[name]
		p := path.Key(name)
		validateMQTTSource(r, p, &c)
		if c.ClientID == "" {
			continue
		}
		key := c.URL + " " + c.ClientID
		if other, taken := clients[key]; taken {
			r.add(duplicate(p.Child("clientId"), c.ClientID,
				"clientId %q is also used by %s on the same broker; the broker keeps one connection per client id", c.ClientID, path.Key(other)))
			continue
		}
		clients[key] = name
	}
}

func validateMQTTSource(r *report, path *field.Path, c *v1alpha1.MQTTEventSource) {
	// The client takes a URL without a scheme as tcp://.
	withScheme := c.URL
	if !strings.Contains(withScheme, "://") {
		withScheme = "tcp://" + withScheme
	}
	if c.URL == "" {
		r.add(required(path.Child("url"), "url is required: the broker, e.g. tcp://mosquitto:1883"))
	} else if u, err := url.Parse(withScheme); err != nil || !mqttURLSchemes[u.Scheme] || (u.Host == "" && u.Scheme != "unix") {
		shown := c.URL
		if err == nil {
			shown = u.Redacted()
		}
		r.add(invalid(path.Child("url"), shown, "%q is not an MQTT broker URL (want tcp://, ssl://, ws:// or wss:// with a host, e.g. tcp://mosquitto:1883)", shown))
	}
	if c.Topic == "" {
		r.add(required(path.Child("topic"), "topic is required: the topic filter to subscribe to, e.g. sensors/+/temperature"))
	} else if msg := checkMQTTTopicFilter(c.Topic); msg != "" {
		r.add(invalid(path.Child("topic"), c.Topic, "%s", msg))
	}
	if c.ClientID == "" {
		r.add(required(path.Child("clientId"), "clientId is required: the client's id at the broker, which also names its persistent session"))
	}
	if c.TLS != nil {
		validateClientTLSConfig(r, path.Child("tls"), c.TLS)
	}
	if c.Auth != nil {
		validateBasicAuth(r, path.Child("auth"), c.Auth)
	}
	if c.ConnectionBackoff != nil {
		validateBackoff(r, path.Child("connectionBackoff"), c.ConnectionBackoff)
	}
	if c.Filter != nil {
		validateSourceFilter(r, path.Child("filter"), c.Filter)
	}
}

// checkMQTTTopicFilter returns why topic is not an MQTT topic filter, or "".
func checkMQTTTopicFilter(topic string) string {
	levels := strings.Split(topic, "/")
	for i, level := range levels {
		switch {
		case strings.Contains(level, "#") && (level != "#" || i != len(levels)-1):
			return "# must be a whole level and the last one, e.g. sensors/#"
		case strings.Contains(level, "+") && level != "+":
			return "+ must be a whole level, e.g. sensors/+/temperature"
		}
	}
	return ""
}
