package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func amqpSecret(name, key string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
}

// validAMQP is an amqp event that validates without warnings: a named
// durable queue, acknowledged after the publish.
func validAMQP() v1alpha1.AMQPEventSource {
	return v1alpha1.AMQPEventSource{
		URL: "amqp://rabbitmq:5672", ExchangeName: "orders", ExchangeType: "topic", RoutingKey: "order.*",
		QueueDeclare: &v1alpha1.AMQPQueueDeclareConfig{Name: "herald-orders", Durable: true},
	}
}

func TestValidateAMQP(t *testing.T) {
	const p = "spec.amqp[orders]"
	support := DefaultSupport()
	support.EventSources["amqp"] = true
	tests := []struct {
		name   string
		mutate func(c *v1alpha1.AMQPEventSource)
		errs   []string
		warns  []string
	}{
		{name: "valid", mutate: func(*v1alpha1.AMQPEventSource) {}},
		{name: "valid with everything", mutate: func(c *v1alpha1.AMQPEventSource) {
			c.URL, c.URLSecret = "", amqpSecret("rabbit", "url")
			c.Auth = &v1alpha1.BasicAuth{Username: amqpSecret("rabbit", "user"), Password: amqpSecret("rabbit", "pass")}
			c.TLS = &v1alpha1.TLSConfig{CACertSecret: amqpSecret("rabbit", "ca")}
			c.QueueDeclare.Arguments = "x-queue-type: quorum"
			c.ExchangeType = "x-delayed-message"
			c.Filter = &v1alpha1.EventSourceFilter{Expression: "body.n > 1"}
		}},
		{
			name: "nothing set", mutate: func(c *v1alpha1.AMQPEventSource) { *c = v1alpha1.AMQPEventSource{} },
			errs: []string{
				p + ".url: url or urlSecret is required: the broker to consume from, e.g. amqp://rabbitmq:5672",
				p + ".exchangeName: exchangeName is required: the exchange the queue is bound to (the broker refuses to declare the default exchange)",
				p + ".exchangeType: exchangeType is required (want direct, fanout, topic or headers)",
				p + ".routingKey: routingKey is required: the key the queue is bound with",
			},
			warns: []string{p + ".queueDeclare: the queue is server-named, exclusive or auto-deleted, so it goes away with the connection: " +
				"messages sent while the source is not running are lost (declare a named, durable, non-exclusive queue to keep them)"},
		},
		{
			name: "url and urlSecret", mutate: func(c *v1alpha1.AMQPEventSource) { c.URLSecret = amqpSecret("s", "k") },
			errs: []string{p + ".urlSecret: url and urlSecret are both set; set only one"},
		},
		{
			name: "bad url", mutate: func(c *v1alpha1.AMQPEventSource) { c.URL = "http://u:secret@rabbit" },
			errs: []string{p + `.url: "http://u:xxxxx@rabbit" is not an amqp:// or amqps:// URL with a host`},
		},
		{
			name: "unknown exchange type", mutate: func(c *v1alpha1.AMQPEventSource) { c.ExchangeType = "Topic" },
			errs: []string{p + `.exchangeType: unknown exchange type "Topic" (want direct, fanout, topic, headers, or a plugin's x- type)`},
		},
		{name: "incomplete tls and auth", mutate: func(c *v1alpha1.AMQPEventSource) {
			c.TLS = &v1alpha1.TLSConfig{ClientCertSecret: amqpSecret("s", "")}
			c.Auth = &v1alpha1.BasicAuth{Username: amqpSecret("s", "user")}
		}, errs: []string{
			p + ".tls: clientCertSecret and clientKeySecret go together",
			p + ".tls.clientCertSecret.key: key is required: the Secret key holding the client certificate",
			p + ".auth.password: password is required: the Secret key holding the password",
		}},
		{
			name: "empty tls", mutate: func(c *v1alpha1.AMQPEventSource) { c.TLS = &v1alpha1.TLSConfig{} },
			errs: []string{p + ".tls: set caCertSecret, clientCertSecret and clientKeySecret, enabled (the system's trusted certificates), or insecureSkipVerify"},
		},
		{name: "bad arguments and backoff", mutate: func(c *v1alpha1.AMQPEventSource) {
			c.QueueDeclare.Arguments = "- x-queue-type"
			c.ConnectionBackoff = &v1alpha1.Backoff{Steps: -1}
		}, errs: []string{
			p + `.queueDeclare.arguments: arguments must be a YAML mapping of argument names to values, e.g. "x-queue-type: quorum": ` +
				"json: cannot unmarshal array into Go value of type map[string]interface {}",
		}, warns: []string{p + ".connectionBackoff.steps: steps is negative: the default number of steps is used, as in Argo"}},
		{name: "autoAck and noLocal", mutate: func(c *v1alpha1.AMQPEventSource) {
			c.Consume = &v1alpha1.AMQPConsumeConfig{AutoAck: true, NoLocal: true}
		}, warns: []string{
			p + ".consume.autoAck: autoAck lets the broker drop each message on delivery, before its event is stored: a message is " +
				"lost if the event cannot be published (leave autoAck unset to acknowledge after the publish)",
			p + ".consume.noLocal: noLocal is not supported by RabbitMQ and has no effect there",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validAMQP()
			tt.mutate(&c)
			es := &v1alpha1.EventSource{
				ObjectMeta: metav1.ObjectMeta{Name: "es"},
				Spec:       v1alpha1.EventSourceSpec{AMQP: map[string]v1alpha1.AMQPEventSource{"orders": c}},
			}
			requireResult(t, ValidateEventSource(es, support), tt.errs, tt.warns)
		})
	}
}
