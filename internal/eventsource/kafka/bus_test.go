package kafka

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/testenv"
)

// TestRunIntoJetStreamAcrossRestart runs a kafka EventSource through the
// runner into a real JetStream. While the bus is down, a record is consumed
// but neither published nor committed; Herald is then stopped, a record is
// produced, and Herald started again: both records reach the stream, and
// every record is stored once.
func TestRunIntoJetStreamAcrossRestart(t *testing.T) {
	srv, err := testenv.StartNATS()
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	nc, err := nats.Connect(srv.URL)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	stream, err := js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "herald", Subjects: []string{"herald.>"}, Duplicates: time.Minute})
	require.NoError(t, err)

	var down atomic.Bool // the bus is unreachable while set
	publish := func(ctx context.Context, ev *event.Event) error {
		if down.Load() {
			return fmt.Errorf("publishing event %s: %w", ev.ID, eventbus.ErrUnavailable)
		}
		data, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		if _, err := js.Publish(ctx, "herald."+ev.Source+"."+ev.Subject, data, jetstream.WithMsgID(ev.ID)); err != nil {
			return fmt.Errorf("publishing event %s: %w: %w", ev.ID, eventbus.ErrUnavailable, err)
		}
		return nil
	}

	c := startCluster(t)
	prod := producer(t, c)
	send := func(n int) {
		produce(t, prod, &kgo.Record{Topic: "orders", Value: fmt.Appendf(nil, `{"n":%d}`, n)})
	}
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "kafka-es", Namespace: "argo-events"}}
	es.Spec.Kafka = map[string]v1alpha1.KafkaEventSource{"orders": *groupConfig(c, "orders", "herald")}
	stats := &eventsource.Stats{}
	key := eventsource.StatsKey{Namespace: "argo-events", EventSource: "kafka-es", Event: "orders"}
	run := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- eventsource.Run(ctx, eventsource.NewRegistry(Kind), eventsource.Env{Logger: slog.New(slog.DiscardHandler)}, es, publish,
				eventsource.WithMetrics(stats))
		}()
		return func() {
			cancel()
			require.NoError(t, <-done)
		}
	}
	stored := func(n uint64) {
		t.Helper()
		require.Eventually(t, func() bool {
			info, err := stream.Info(t.Context())
			return err == nil && info.State.Msgs == n
		}, wait, 10*time.Millisecond)
	}

	stop := run()
	send(1)
	send(2)
	stored(2)
	down.Store(true)
	send(3)
	require.Eventually(t, func() bool { return stats.Snapshot()[key].Failed > 0 }, wait, 10*time.Millisecond)
	stop()
	send(4)
	down.Store(false)

	stop = run()
	defer stop()
	stored(4)
	var got []string
	for seq := uint64(1); seq <= 4; seq++ {
		msg, err := stream.GetMsg(t.Context(), seq)
		require.NoError(t, err)
		var ev event.Event
		require.NoError(t, json.Unmarshal(msg.Data, &ev))
		var data struct{ Body json.RawMessage }
		require.NoError(t, json.Unmarshal(ev.Data, &data))
		got = append(got, string(data.Body))
	}
	require.Equal(t, []string{`{"n":1}`, `{"n":2}`, `{"n":3}`, `{"n":4}`}, got)
	require.Never(t, func() bool {
		info, err := stream.Info(t.Context())
		return err != nil || info.State.Msgs != 4
	}, 300*time.Millisecond, 20*time.Millisecond, "a record was stored twice")
}
