package amqp

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/eventsource"
)

// TestRunIntoHeraldBus runs an amqp EventSource through the runner into
// Herald's JetStream bus: each message becomes one stored event, a message
// delivered again (same messageId) is stored once, and the queue is left
// empty, every message acknowledged after its publish.
func TestRunIntoHeraldBus(t *testing.T) {
	srv, err := jetstream.StartEmbedded(t.Context(), jetstream.EmbeddedOptions{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Shutdown(context.Background())) })
	// One handler, as the engine runs it: the handler sees the events in
	// the order the stream stored them (32 workers could hand them over in
	// any order).
	bus, err := jetstream.Connect(t.Context(), jetstream.Options{InProcess: srv, DeliverAll: true, HandlerWorkers: 1, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, bus.Close(context.Background())) })

	got := make(chan *event.Event, 10)
	subCtx, stopSub := context.WithCancel(context.Background())
	subDone := make(chan error, 1)
	go func() {
		subDone <- bus.Subscribe(subCtx, eventbus.Subscription{Durable: "test"}, func(ctx context.Context, m eventbus.Message) {
			got <- m.Event()
			_ = m.Ack(ctx)
		})
	}()
	t.Cleanup(func() {
		stopSub()
		require.NoError(t, <-subDone)
	})

	cfg := directConfig(t)
	queue := durableQueue(t, cfg)
	cfg.JSONBody = true
	es := testSpec(cfg).EventSource.DeepCopy()
	es.Spec.AMQP = map[string]v1alpha1.AMQPEventSource{"orders": *cfg}
	publish := func(ctx context.Context, ev *event.Event) error {
		_, err := bus.Publish(ctx, ev)
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eventsource.Run(ctx, eventsource.NewRegistry(Kind), testEnv(), es, publish) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})

	pub := newPublisher(t)
	for _, id := range []string{"m1", "m2", "m1", "m3"} {
		pub.publish(t, cfg.ExchangeName, "k", amqp.Publishing{MessageId: id, Body: []byte(`{"id":"` + id + `"}`)})
	}
	var ids []string
	for len(ids) < 3 {
		select {
		case ev := <-got:
			var data struct {
				Body struct{ ID string }
			}
			require.NoError(t, json.Unmarshal(ev.Data, &data))
			ids = append(ids, data.Body.ID)
		case <-time.After(20 * time.Second):
			require.FailNow(t, "events missing", "got %v", ids)
		}
	}
	require.Equal(t, []string{"m1", "m2", "m3"}, ids, "m1 delivered again is stored once, before m3")
	require.Eventually(t, func() bool {
		ch, err := pub.conn.Channel()
		if err != nil {
			return false
		}
		defer ch.Close()
		q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
		return err == nil && q.Messages == 0
	}, 10*time.Second, 10*time.Millisecond, "every message is acknowledged")
}
