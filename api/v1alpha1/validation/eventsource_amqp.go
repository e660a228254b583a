package validation

import (
	"encoding/json"
	"net/url"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// amqpExchangeTypes are the exchange types every AMQP 0.9.1 broker has;
// plugins add types whose names start with "x-".
var amqpExchangeTypes = map[string]bool{"direct": true, "fanout": true, "topic": true, "headers": true}

// validateAMQPSources checks each amqp event.
func validateAMQPSources(r *report, path *field.Path, sources map[string]v1alpha1.AMQPEventSource) {
	for _, name := range sortedKeys(sources) {
		c := sources[name]
		validateAMQPSource(r, path.Key(name), &c)
	}
}

// validateAMQPSource checks one amqp event as Argo does (a url or a
// urlSecret, a routing key, an exchange type, TLS and auth complete) and
// what Argo leaves to the broker to refuse at run time (the URL, the
// exchange name and type, the queue arguments). It warns where messages
// can be lost: autoAck, and a queue that does not outlive the connection.
func validateAMQPSource(r *report, path *field.Path, c *v1alpha1.AMQPEventSource) {
	switch {
	case c.URL == "" && c.URLSecret == nil:
		r.add(required(path.Child("url"), "url or urlSecret is required: the broker to consume from, e.g. amqp://rabbitmq:5672"))
	case c.URL != "" && c.URLSecret != nil:
		r.add(invalid(path.Child("urlSecret"), field.OmitValueType{}, "url and urlSecret are both set; set only one"))
	case c.URL != "":
		validateAMQPURL(r, path.Child("url"), c.URL)
	}
	if c.URLSecret != nil {
		validateSecretKey(r, path.Child("urlSecret"), c.URLSecret, "the broker URL")
	}
	if c.ExchangeName == "" {
		r.add(required(path.Child("exchangeName"), "exchangeName is required: the exchange the queue is bound to (the broker refuses to declare the default exchange)"))
	}
	switch {
	case c.ExchangeType == "":
		r.add(required(path.Child("exchangeType"), "exchangeType is required (want direct, fanout, topic or headers)"))
	case !amqpExchangeTypes[c.ExchangeType] && !strings.HasPrefix(c.ExchangeType, "x-"):
		r.add(invalid(path.Child("exchangeType"), c.ExchangeType,
			"unknown exchange type %q (want direct, fanout, topic, headers, or a plugin's x- type)", c.ExchangeType))
	}
	if c.RoutingKey == "" {
		r.add(required(path.Child("routingKey"), "routingKey is required: the key the queue is bound with"))
	}
	if c.ConnectionBackoff != nil {
		validateBackoff(r, path.Child("connectionBackoff"), c.ConnectionBackoff)
	}
	if c.TLS != nil {
		validateClientTLSConfig(r, path.Child("tls"), c.TLS)
	}
	if c.Auth != nil {
		validateBasicAuth(r, path.Child("auth"), c.Auth)
	}
	if c.Filter != nil {
		validateSourceFilter(r, path.Child("filter"), c.Filter)
	}
	q := c.QueueDeclare
	if q != nil && q.Arguments != "" {
		validateAMQPArguments(r, path.Child("queueDeclare", "arguments"), q.Arguments)
	}
	if q == nil || q.Name == "" || q.Exclusive || q.AutoDelete {
		r.warn(invalid(path.Child("queueDeclare"), field.OmitValueType{},
			"the queue is server-named, exclusive or auto-deleted, so it goes away with the connection: messages sent while the source is not running are lost (declare a named, durable, non-exclusive queue to keep them)"))
	}
	if cons := c.Consume; cons != nil {
		if cons.AutoAck {
			r.warn(invalid(path.Child("consume", "autoAck"), true,
				"autoAck lets the broker drop each message on delivery, before its event is stored: a message is lost if the event cannot be published (leave autoAck unset to acknowledge after the publish)"))
		}
		if cons.NoLocal {
			r.warn(invalid(path.Child("consume", "noLocal"), true, "noLocal is not supported by RabbitMQ and has no effect there"))
		}
	}
}

// validateAMQPURL checks a broker URL: amqp or amqps, with a host.
func validateAMQPURL(r *report, path *field.Path, raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "amqp" && u.Scheme != "amqps") || u.Host == "" {
		shown := raw
		if err == nil {
			shown = u.Redacted()
		}
		r.add(invalid(path, shown, "%q is not an amqp:// or amqps:// URL with a host", shown))
	}
}

// validateAMQPArguments checks that a queue's x-arguments are a YAML
// mapping.
func validateAMQPArguments(r *report, path *field.Path, text string) {
	doc, err := yaml.YAMLToJSON([]byte(text))
	var m map[string]any
	if err == nil {
		err = json.Unmarshal(doc, &m)
	}
	if err != nil {
		r.add(invalid(path, text, "arguments must be a YAML mapping of argument names to values, e.g. \"x-queue-type: quorum\": %v", err))
	}
}
