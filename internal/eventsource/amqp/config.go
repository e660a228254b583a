package amqp

import (
	"bytes"
	"encoding/json"
	"fmt"

	amqp "github.com/rabbitmq/amqp091-go"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource/connect"
)

// settings are an amqp event's declarations and consumer options, with
// Argo's defaults filled in where a section is left out.
type settings struct {
	exchange  v1alpha1.AMQPExchangeDeclareConfig
	queue     v1alpha1.AMQPQueueDeclareConfig
	queueArgs amqp.Table
	bind      v1alpha1.AMQPQueueBindConfig
	consume   v1alpha1.AMQPConsumeConfig
	backoff   connect.Backoff
}

// readSettings applies Argo's defaults: a durable exchange; a server-named,
// exclusive queue; and a consumer with the broker's tag. One default
// differs: without a consume section Argo acknowledges on delivery
// (autoAck), Herald acknowledges each message once its event is on the bus.
func readSettings(c *v1alpha1.AMQPEventSource) (settings, error) {
	s := settings{
		exchange: v1alpha1.AMQPExchangeDeclareConfig{Durable: true},
		queue:    v1alpha1.AMQPQueueDeclareConfig{Exclusive: true},
	}
	if c.ExchangeDeclare != nil {
		s.exchange = *c.ExchangeDeclare
	}
	if c.QueueDeclare != nil {
		s.queue = *c.QueueDeclare
	}
	if c.QueueBind != nil {
		s.bind = *c.QueueBind
	}
	if c.Consume != nil {
		s.consume = *c.Consume
	}
	args, err := parseArguments(s.queue.Arguments)
	if err != nil {
		return settings{}, fmt.Errorf("reading queueDeclare.arguments: %w", err)
	}
	s.queueArgs = args
	if s.backoff, err = connect.ResolveBackoff(c.ConnectionBackoff); err != nil {
		return settings{}, err
	}
	return s, nil
}

// parseArguments reads a queue's x-arguments: a YAML (or JSON) mapping, as
// Argo reads it. Whole numbers become integers, which the broker requires
// for arguments such as x-message-ttl (Argo sends every number as a float).
func parseArguments(text string) (amqp.Table, error) {
	if text == "" {
		return nil, nil
	}
	doc, err := yaml.YAMLToJSON([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("not YAML: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a mapping of argument names to values: %w", err)
	}
	t := amqp.Table{}
	for k, v := range m {
		t[k] = tableValue(v)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// tableValue converts a decoded JSON value into an AMQP table value.
func tableValue(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		t := amqp.Table{}
		for k, e := range v {
			t[k] = tableValue(e)
		}
		return t
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = tableValue(e)
		}
		return out
	default:
		return v
	}
}
