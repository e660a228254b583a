package amqp

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/testenv"
)

func TestEventDataHasArgoShape(t *testing.T) {
	cfg := directConfig(t)
	cfg.JSONBody = true
	cfg.Metadata = map[string]string{"team": "payments"}
	r := start(t, testEnv(), cfg)
	pub := newPublisher(t)
	pub.publish(t, cfg.ExchangeName, "k", amqp.Publishing{
		ContentType: "application/json", ContentEncoding: "identity", DeliveryMode: amqp.Persistent, Priority: 3,
		CorrelationId: "corr-1", ReplyTo: "replies", Expiration: "60000", MessageId: "msg-1",
		Timestamp: time.Date(2024, 3, 31, 9, 0, 0, 0, time.UTC), Type: "order.created", AppId: "shop",
		Body: []byte(`{"order":{"id":42}}`),
	})
	ev := r.Next(t)
	require.JSONEq(t, fmt.Sprintf(`{
		"contentType": "application/json", "contentEncoding": "identity", "deliveryMode": 2, "priority": 3,
		"correlationId": "corr-1", "replyTo": "replies", "expiration": "60000", "messageId": "msg-1",
		"timestamp": "2024-03-31 09:00:00 +0000 UTC", "type": "order.created", "appId": "shop",
		"exchange": %q, "routingKey": "k", "body": {"order": {"id": 42}}, "metadata": {"team": "payments"}
	}`, cfg.ExchangeName), string(ev.Data))
	require.Equal(t, KindName, ev.Type)
	require.Equal(t, "rabbit", ev.Source)
	require.Equal(t, "orders", ev.Subject)
	require.Equal(t, event.ContentTypeJSON, ev.DataContentType)
	// The id derives from the message id.
	require.Equal(t, (&source{key: "argo-events/rabbit.orders"}).eventID(&amqp.Delivery{MessageId: "msg-1"}), ev.ID)
}

func TestNotJSONBodyIsRejectedAndCounted(t *testing.T) {
	cfg := directConfig(t)
	cfg.JSONBody = true
	// The rejected message goes to a dead-letter queue, through queue
	// arguments given as YAML.
	dlx, dlq := uniqueName(t, "dlx"), uniqueName(t, "dlq")
	pub := newPublisher(t)
	require.NoError(t, pub.ch.ExchangeDeclare(dlx, "fanout", false, true, false, false, nil))
	_, err := pub.ch.QueueDeclare(dlq, false, true, false, false, nil)
	require.NoError(t, err)
	require.NoError(t, pub.ch.QueueBind(dlq, "", dlx, false, nil))
	cfg.QueueDeclare = &v1alpha1.AMQPQueueDeclareConfig{Exclusive: true, Arguments: "x-dead-letter-exchange: " + dlx + "\nx-message-ttl: 60000\n"}

	r := start(t, testEnv(), cfg)
	pub.publish(t, cfg.ExchangeName, "k", amqp.Publishing{Body: []byte("plain text, not JSON")})
	pub.publish(t, cfg.ExchangeName, "k", amqp.Publishing{Body: []byte(`{"ok":true}`)})
	body := func(ev *event.Event) string {
		var data struct{ Body json.RawMessage }
		require.NoError(t, json.Unmarshal(ev.Data, &data))
		return string(data.Body)
	}
	require.JSONEq(t, `{"ok":true}`, body(r.Next(t)))
	require.Equal(t, uint64(1), r.Source.(*source).Rejected())
	require.Eventually(t, func() bool {
		d, ok, err := pub.ch.Get(dlq, true)
		return err == nil && ok && string(d.Body) == "plain text, not JSON"
	}, 10*time.Second, 20*time.Millisecond, "the rejected message is dead-lettered")
	// The source did not stop on the rejection: it still consumes.
	pub.publish(t, cfg.ExchangeName, "k", amqp.Publishing{Body: []byte(`{"ok":2}`)})
	require.JSONEq(t, `{"ok":2}`, body(r.Next(t)))
}

func TestBodyWithoutJSONBodyIsBase64(t *testing.T) {
	cfg := directConfig(t)
	r := start(t, testEnv(), cfg)
	newPublisher(t).publish(t, cfg.ExchangeName, "k", amqp.Publishing{Body: []byte("hello")})
	var data struct{ Body []byte }
	require.NoError(t, json.Unmarshal(r.Next(t).Data, &data))
	require.Equal(t, "hello", string(data.Body))
}

func TestUnreachableBroker(t *testing.T) {
	tenMillis := v1alpha1.FromString("10ms")
	port, err := testenv.FreePort()
	require.NoError(t, err)
	cfg := &v1alpha1.AMQPEventSource{
		URL: fmt.Sprintf("amqp://user:secret@127.0.0.1:%d/", port), ExchangeName: "x", ExchangeType: "direct", RoutingKey: "k",
		ConnectionBackoff: &v1alpha1.Backoff{Steps: 3, Duration: &tenMillis},
	}
	t.Run("the source fails with a clear error after its tries", func(t *testing.T) {
		err := failure(t, testEnv(), cfg)
		require.ErrorContains(t, err, fmt.Sprintf("amqp orders: connecting to amqp broker amqp://user:xxxxx@127.0.0.1:%d/: giving up after 3 attempts: ", port))
		require.ErrorContains(t, err, "connection refused")
		require.NotContains(t, err.Error(), "secret")
	})
	t.Run("the runner starts it again after a backoff", func(t *testing.T) {
		es := testSpec(cfg).EventSource.DeepCopy()
		es.Spec.AMQP = map[string]v1alpha1.AMQPEventSource{"orders": *cfg}
		stats := &eventsource.Stats{}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			done <- eventsource.Run(ctx, eventsource.NewRegistry(Kind), testEnv(), es, new(sourcetest.Recorder).Emit,
				eventsource.WithMetrics(stats), eventsource.WithRestartBackoff(10*time.Millisecond, 50*time.Millisecond))
		}()
		require.Eventually(t, func() bool {
			return stats.Snapshot()[eventsource.StatsKey{Namespace: "argo-events", EventSource: "rabbit", Event: "orders"}].Restarts >= 2
		}, 20*time.Second, 10*time.Millisecond)
		cancel()
		require.NoError(t, <-done)
	})
}

func TestDeclarationRefused(t *testing.T) {
	cfg := directConfig(t)
	pub := newPublisher(t)
	// The exchange exists with another type: the broker refuses the
	// declaration and the source fails with its answer.
	require.NoError(t, pub.ch.ExchangeDeclare(cfg.ExchangeName, "fanout", false, true, false, false, nil))
	err := failure(t, testEnv(), cfg)
	require.ErrorContains(t, err, fmt.Sprintf(`amqp orders: declaring direct exchange %q: Exception (406) Reason: "PRECONDITION_FAILED`, cfg.ExchangeName))
}

func TestRestartWithoutLoss(t *testing.T) {
	cfg := directConfig(t)
	durableQueue(t, cfg)
	pub := newPublisher(t)
	msg := func(id string) amqp.Publishing {
		return amqp.Publishing{MessageId: id, ContentType: "application/json", Body: []byte(`{"id":"` + id + `"}`)}
	}

	r := start(t, testEnv(), cfg)
	pub.publish(t, cfg.ExchangeName, "k", msg("m1"))
	require.Contains(t, string(r.Next(t).Data), `"m1"`)

	// The bus goes down: m2 is delivered, its publish fails and is retried
	// until the source stops, unacknowledged.
	r.SetErr(errUnavailable)
	pub.publish(t, cfg.ExchangeName, "k", msg("m2"))
	var failedID string
	require.Eventually(t, func() bool {
		for _, ev := range r.Tried() {
			if containsID(ev, "m2") {
				failedID = ev.ID
				return true
			}
		}
		return false
	}, 20*time.Second, time.Millisecond)
	r.Stop()

	// Published while no source runs: kept by the durable queue.
	pub.publish(t, cfg.ExchangeName, "k", msg("m3"))
	pub.publish(t, cfg.ExchangeName, "k", msg("m4"))

	r2 := start(t, testEnv(), cfg)
	got := map[string]string{}
	for range 3 {
		ev := r2.Next(t)
		var data struct{ MessageID string }
		require.NoError(t, json.Unmarshal(ev.Data, &data))
		got[data.MessageID] = ev.ID
	}
	require.Len(t, got, 3)
	require.Contains(t, got, "m3")
	require.Contains(t, got, "m4")
	require.Equal(t, failedID, got["m2"], "the message delivered again keeps its event id, so the bus drops a duplicate")
	require.Len(t, r2.Events(), 3, "m1 was delivered again")
}

func containsID(ev *event.Event, id string) bool {
	var data struct{ MessageID string }
	return json.Unmarshal(ev.Data, &data) == nil && data.MessageID == id
}
