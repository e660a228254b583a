package mqtt_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	js "github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/mqtt"
	"github.com/herald-dev/herald/internal/testenv"
)

// startJetStream starts a JetStream server on port with its store in dir;
// a second call with the same port and dir is the same server restarted.
func startJetStream(t *testing.T, port int, dir string) *server.Server {
	t.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	require.NoError(t, err)
	srv.Start()
	require.True(t, srv.ReadyForConnections(10*time.Second))
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return srv
}

// An MQTT message that arrives while Herald's bus is down is kept
// unacknowledged and lands on the bus, through the runner and its filter,
// once the bus is back.
func TestMessageReachesTheBusAfterItComesBack(t *testing.T) {
	port, err := testenv.FreePort()
	require.NoError(t, err)
	dir := t.TempDir()
	nats := startJetStream(t, port, dir)
	bus, err := jetstream.Connect(t.Context(), jetstream.Options{
		URLs: []string{nats.ClientURL()}, ReconnectWait: 50 * time.Millisecond, PublishTimeout: time.Second,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = bus.Close(context.Background()) })

	broker := mochi.New(&mochi.Options{InlineClient: true, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, broker.AddHook(new(auth.AllowHook), nil))
	l := listeners.NewTCP(listeners.Config{ID: "tcp", Address: "127.0.0.1:0"})
	require.NoError(t, broker.AddListener(l))
	require.NoError(t, broker.Serve())
	t.Cleanup(func() { _ = broker.Close() })

	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "devices", Namespace: "argo-events"}}
	es.Spec.MQTT = map[string]v1alpha1.MQTTEventSource{"state": {
		URL: "tcp://" + l.Address(), Topic: "state", ClientID: "herald-bus", JSONBody: true,
		Filter: &v1alpha1.EventSourceFilter{Expression: "body.n > 1"},
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	publish := func(ctx context.Context, ev *event.Event) error {
		_, err := bus.Publish(ctx, ev)
		return err
	}
	go func() {
		done <- eventsource.Run(ctx, eventsource.NewRegistry(mqtt.Kind), eventsource.Env{Logger: slog.New(slog.DiscardHandler)}, es, publish)
	}()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	inflight := func() int {
		cl, ok := broker.Clients.Get("herald-bus")
		if !ok {
			return -1
		}
		return cl.State.Inflight.Len()
	}
	require.Eventually(t, func() bool {
		cl, ok := broker.Clients.Get("herald-bus")
		return ok && !cl.Closed() && len(cl.State.Subscriptions.GetAll()) == 1
	}, 10*time.Second, 10*time.Millisecond)

	nats.Shutdown()
	nats.WaitForShutdown()
	for i := range 4 {
		require.NoError(t, broker.Publish("state", fmt.Appendf(nil, `{"n":%d}`, i), false, 1))
	}
	// n=0 and n=1 are dropped by the filter, and acknowledged as in Argo;
	// n=2 waits for the bus, and n=3 behind it.
	require.Eventually(t, func() bool { return inflight() == 2 }, 10*time.Second, 10*time.Millisecond)
	require.Never(t, func() bool { return inflight() < 2 }, 300*time.Millisecond, 10*time.Millisecond,
		"nothing the filter keeps is acknowledged while the bus is down")

	startJetStream(t, port, dir)
	require.Eventually(t, func() bool { return inflight() == 0 }, 20*time.Second, 20*time.Millisecond,
		"every message is acknowledged once the bus took its event (or the filter dropped it)")

	nc, err := natsgo.Connect(nats.ClientURL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	stream, err := js.New(nc)
	require.NoError(t, err)
	s, err := stream.Stream(t.Context(), jetstream.DefaultStreamName)
	require.NoError(t, err)
	info, err := s.Info(t.Context())
	require.NoError(t, err)
	require.Equal(t, uint64(2), info.State.Msgs, "the events the filter keeps are on the bus, once each")
}
