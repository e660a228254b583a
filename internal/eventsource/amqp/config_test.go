package amqp

import (
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource/connect"
)

func TestParseArguments(t *testing.T) {
	tests := []struct {
		name, text string
		want       amqp.Table
		err        string
	}{
		{name: "empty"},
		{
			name: "yaml", text: "x-queue-type: quorum\nx-message-ttl: 60000\nx-ratio: 0.5\nx-single-active-consumer: true\n",
			want: amqp.Table{"x-queue-type": "quorum", "x-message-ttl": int64(60000), "x-ratio": 0.5, "x-single-active-consumer": true},
		},
		{
			name: "json", text: `{"x-max-length": 10, "x-args": {"a": [1, "b"]}}`,
			want: amqp.Table{"x-max-length": int64(10), "x-args": amqp.Table{"a": []any{int64(1), "b"}}},
		},
		{name: "not a mapping", text: "- a\n- b\n", err: "not a mapping of argument names to values"},
		{name: "not yaml", text: "a: [", err: "not YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseArguments(tt.text)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestReadSettingsDefaults(t *testing.T) {
	s, err := readSettings(&v1alpha1.AMQPEventSource{})
	require.NoError(t, err)
	require.Equal(t, v1alpha1.AMQPExchangeDeclareConfig{Durable: true}, s.exchange, "Argo's default exchange")
	require.Equal(t, v1alpha1.AMQPQueueDeclareConfig{Exclusive: true}, s.queue, "Argo's default queue")
	require.False(t, s.consume.AutoAck, "Herald acknowledges after the publish unless autoAck is set")
	require.Equal(t, connect.Backoff{Steps: 5, Duration: time.Second, Factor: 1, Jitter: 1}, s.backoff, "Argo's default connectionBackoff")

	_, err = readSettings(&v1alpha1.AMQPEventSource{QueueDeclare: &v1alpha1.AMQPQueueDeclareConfig{Arguments: "[1"}})
	require.ErrorContains(t, err, "reading queueDeclare.arguments: not YAML")
}
