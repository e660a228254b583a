package nats

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/testenv"
)

// secrets is a SecretReader over a map keyed by "name/key".
type secrets map[string]string

func (s secrets) read(_ context.Context, _ string, sel *corev1.SecretKeySelector) ([]byte, error) {
	v, ok := s[sel.Name+"/"+sel.Key]
	if !ok {
		return nil, errors.New("no such secret")
	}
	return []byte(v), nil
}

func secretKey(name, key string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
}

func testEnv(sec secrets) eventsource.Env {
	return eventsource.Env{Logger: slog.New(slog.DiscardHandler), Namespace: "argo-events", Secrets: sec.read}
}

func testSpec(name string, cfg *v1alpha1.NATSEventsSource) eventsource.Spec {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "bus-events", Namespace: "argo-events"}}
	return eventsource.Spec{EventSource: es, Name: name, Config: cfg}
}

// startNATS starts the embedded JetStream server of internal/testenv.
func startNATS(t *testing.T) *testenv.NATS {
	t.Helper()
	n, err := testenv.StartNATS()
	require.NoError(t, err)
	t.Cleanup(n.Stop)
	return n
}

// startServer starts an embedded NATS server with opts (auth, say) on a
// random loopback port.
func startServer(t *testing.T, opts *server.Options) *server.Server {
	t.Helper()
	opts.Host, opts.Port, opts.NoLog, opts.NoSigs = "127.0.0.1", server.RANDOM_PORT, true, true
	srv, err := server.NewServer(opts)
	require.NoError(t, err)
	srv.Start()
	require.True(t, srv.ReadyForConnections(10*time.Second), "the NATS server did not start")
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return srv
}

// dial connects a test client; it is closed with the test.
func dial(t *testing.T, url string, opts ...natsgo.Option) *natsgo.Conn {
	t.Helper()
	nc, err := natsgo.Connect(url, opts...)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	return nc
}

// request sends data as a request on subject, waiting (within reason) for
// the source to subscribe, and returns the answer's error: nil once the
// source published the event.
func request(t *testing.T, nc *natsgo.Conn, subject string, msg *natsgo.Msg) error {
	t.Helper()
	msg.Subject = subject
	var err error
	require.Eventually(t, func() bool {
		_, err = nc.RequestMsg(msg, 10*time.Second)
		return !errors.Is(err, natsgo.ErrNoResponders)
	}, 10*time.Second, 10*time.Millisecond, "nobody subscribed to %s", subject)
	return err
}

// waitSubscribed waits until the server has n subscriptions on subject.
func waitSubscribed(t *testing.T, srv *server.Server, subject string, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		sz, err := srv.Subsz(&server.SubszOptions{Subscriptions: true, Test: subject})
		return err == nil && sz.Total >= n
	}, 10*time.Second, 10*time.Millisecond, "the source never subscribed to %s", subject)
}
