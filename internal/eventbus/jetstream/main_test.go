package jetstream

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testLogger logs to the test output when -v is given.
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("test", t.Name())
}

// startServer starts an embedded server on dir, stopped at cleanup.
func startServer(t testing.TB, dir, listen string) *Embedded {
	t.Helper()
	e, err := StartEmbedded(context.Background(), EmbeddedOptions{DataDir: dir, Listen: listen, Logger: testLogger(t)})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Shutdown(context.Background())) })
	return e
}

// connect connects a bus closed at cleanup.
func connect(t testing.TB, o Options) *Bus {
	t.Helper()
	if o.Logger == nil {
		o.Logger = testLogger(t)
	}
	b, err := Connect(context.Background(), o)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close(context.Background())) })
	return b
}

// newBus is a bus on its own in-process embedded server.
func newBus(t testing.TB, o Options) *Bus {
	t.Helper()
	o.InProcess = startServer(t, t.TempDir(), "")
	return connect(t, o)
}

// testEvent is event n of source src, named name.
func testEvent(src, name string, n int) *event.Event {
	return &event.Event{
		ID:              fmt.Sprintf("%s-%s-%d", src, name, n),
		Source:          src,
		Subject:         name,
		Type:            "webhook",
		Time:            time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC),
		DataContentType: event.ContentTypeJSON,
		Data:            fmt.Appendf(nil, `{"n":%d}`, n),
	}
}

// publishAll publishes evs and fails the test on any error.
func publishAll(t testing.TB, b *Bus, evs ...*event.Event) {
	t.Helper()
	for _, ev := range evs {
		_, err := b.Publish(t.Context(), ev)
		require.NoError(t, err)
	}
}

// subscribe runs Subscribe in the background until the test ends (or the
// returned stop is called) and returns once its consumer exists.
func subscribe(t testing.TB, b *Bus, sub eventbus.Subscription, h eventbus.Handler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Subscribe(ctx, sub, h) }()
	require.Eventually(t, func() bool {
		_, err := b.js.Consumer(ctx, b.stream, EscapeToken(sub.Durable))
		return err == nil
	}, 10*time.Second, 10*time.Millisecond, "consumer %s never created", sub.Durable)
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			require.NoError(t, <-done)
		})
	}
	t.Cleanup(stop)
	return stop
}

// consumerInfo returns the server's view of a subscription's consumer.
func consumerInfo(t testing.TB, b *Bus, durable string) *jetstream.ConsumerInfo {
	t.Helper()
	c, err := b.js.Consumer(t.Context(), b.stream, EscapeToken(durable))
	require.NoError(t, err)
	info, err := c.Info(t.Context())
	require.NoError(t, err)
	return info
}

// streamMsgs is the number of events stored in the bus's stream.
func streamMsgs(t testing.TB, b *Bus) uint64 {
	t.Helper()
	s, err := b.js.Stream(t.Context(), b.stream)
	require.NoError(t, err)
	info, err := s.Info(t.Context())
	require.NoError(t, err)
	return info.State.Msgs
}

// recorder collects delivered messages; its handler acks unless told
// otherwise by decide.
type recorder struct {
	t      testing.TB
	mu     sync.Mutex
	msgs   []eventbus.Message
	decide func(m eventbus.Message) // nil: ack
}

func (r *recorder) handle(ctx context.Context, m eventbus.Message) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	decide := r.decide
	r.mu.Unlock()
	if decide != nil {
		decide(m)
		return
	}
	if err := m.Ack(ctx); err != nil {
		r.t.Errorf("acking %s: %v", m.Event().ID, err)
	}
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

func (r *recorder) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, len(r.msgs))
	for i, m := range r.msgs {
		ids[i] = m.Event().ID
	}
	return ids
}

func (r *recorder) all() []eventbus.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]eventbus.Message(nil), r.msgs...)
}
