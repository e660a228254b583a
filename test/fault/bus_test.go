package fault

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"
)

// natsServer is an external JetStream server the test stops and starts
// again on the same port and file store.
type natsServer struct {
	opts *server.Options
	srv  *server.Server
}

func startNATS(tb testing.TB) *natsServer {
	tb.Helper()
	n := &natsServer{opts: &server.Options{
		Host: "127.0.0.1", Port: freePort(tb), JetStream: true, StoreDir: filepath.Join(tb.TempDir(), "nats"),
		NoLog: true, NoSigs: true,
	}}
	n.start(tb)
	tb.Cleanup(n.stop)
	return n
}

func (n *natsServer) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", n.opts.Port) }

func (n *natsServer) start(tb testing.TB) {
	tb.Helper()
	srv, err := server.NewServer(n.opts.Clone())
	require.NoError(tb, err)
	srv.Start()
	require.True(tb, srv.ReadyForConnections(30*time.Second), "the NATS server did not start")
	n.srv = srv
}

func (n *natsServer) stop() {
	if n.srv != nil {
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
		n.srv = nil
	}
}

// TestExternalBusRestartedAndUnreachable streams events from a webhook to
// an HTTP trigger through an external JetStream server, which is restarted
// once and later stopped for a while. While it is away the webhook answers
// 503 with Retry-After; clients send again; afterwards the Sensor resumes
// from its durable consumer and every event answered 200 reaches the
// target.
func TestExternalBusRestartedAndUnreachable(t *testing.T) {
	total, outage := sized(2000, 20000), sized(10*time.Second, 30*time.Second)
	bus := startNATS(t)
	dir := t.TempDir()
	target := newSink(t)
	webhookPort := freePort(t)
	writeFile(t, dir, "es.yaml", webhookEventSource("stream", webhookPort))
	writeFile(t, dir, "sn.yaml", forwardSensor("forward", "stream", target.url(), ""))
	herald := startHerald(t, "run", "-f", dir, "--bus-url", bus.url(), "--webhook-host", "127.0.0.1",
		"--metrics-addr", "", "--ui-addr", "", "--log-level", "warn")

	ctx, cancel := context.WithTimeout(t.Context(), sized(3*time.Minute, 15*time.Minute))
	defer cancel()
	s := newSender(webhookPort)
	faults := make(chan int, 1)
	var refusedInOutage int
	go func() {
		n := 0
		defer func() { faults <- n }()
		wait := func(acked int64) bool {
			for s.acked.Load() < acked {
				select {
				case <-ctx.Done():
					return false
				case <-time.After(time.Millisecond):
				}
			}
			return true
		}
		// A restart at a third of the stream.
		if !wait(int64(total / 3)) {
			return
		}
		bus.stop()
		bus.start(t)
		n++
		// An outage at two thirds.
		if !wait(int64(total * 2 / 3)) {
			return
		}
		bus.stop()
		refused := s.refusals()[503]
		<-time.After(outage) // the outage itself, not a wait for a condition
		refusedInOutage = s.refusals()[503] - refused
		bus.start(t)
		n++
	}()
	s.sendAll(ctx, total, 8)
	injected := <-faults
	require.NoError(t, ctx.Err(), "sending timed out after %d of %d acknowledged", s.acked.Load(), total)
	require.Equal(t, 2, injected)
	require.Positive(t, refusedInOutage, "no 503 while the bus was away")
	require.Zero(t, s.noRetryAfter.Load(), "503 or 429 answers without Retry-After")

	require.Eventually(t, func() bool { return target.tally().distinct == total }, sized(2*time.Minute, 10*time.Minute), 100*time.Millisecond,
		"events answered 200 never reached the target, e.g. %v", target.missing(total))
	target.checkIDs(t)
	require.False(t, herald.Exited(), "herald exited")
	got := target.tally()
	t.Logf("events: %d sent (answered 200), refused %v, 1 bus restart + 1 outage of %s; target: %d distinct, %d duplicates, 0 lost",
		total, s.refusals(), outage, got.distinct, got.duplicates)
}
