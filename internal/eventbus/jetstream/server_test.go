package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/testenv"
)

func TestStorePersistsAcrossServerRestarts(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	const n = 50

	srv, err := StartEmbedded(ctx, EmbeddedOptions{DataDir: dir, Logger: testLogger(t)})
	require.NoError(t, err)
	b, err := Connect(ctx, Options{InProcess: srv, Logger: testLogger(t)})
	require.NoError(t, err)
	for i := range n {
		publishAll(t, b, testEvent("es", "e", i))
	}
	require.NoError(t, b.Close(ctx))
	require.NoError(t, srv.Shutdown(ctx))

	srv2 := startServer(t, dir, "")
	require.Empty(t, srv2.ClientURL())
	b2 := newBusOn(t, srv2, Options{DeliverAll: true})
	require.Equal(t, uint64(n), streamMsgs(t, b2))
	r := &recorder{t: t}
	subscribe(t, b2, eventbus.Subscription{Durable: "after-restart"}, r.handle)
	require.Eventually(t, func() bool { return r.len() == n }, 10*time.Second, 10*time.Millisecond)

	// The dedup window survives too.
	ack, err := b2.Publish(ctx, testEvent("es", "e", 0))
	require.NoError(t, err)
	require.True(t, ack.Duplicate)
}

func newBusOn(t testing.TB, srv *Embedded, o Options) *Bus {
	t.Helper()
	o.InProcess = srv
	return connect(t, o)
}

// freeAddr returns a loopback address nothing listens on, its port
// outside the kernel's ephemeral range (testenv.FreePort).
func freeAddr(t testing.TB) string {
	t.Helper()
	port, err := testenv.FreePort()
	require.NoError(t, err)
	return fmt.Sprintf("127.0.0.1:%d", port)
}

func TestExternalServerWithOneDeadURL(t *testing.T) {
	srv := startServer(t, t.TempDir(), "127.0.0.1:0")
	require.NotEmpty(t, srv.ClientURL())
	b := connect(t, Options{URLs: []string{"nats://" + freeAddr(t), srv.ClientURL()}})
	r := &recorder{t: t}
	subscribe(t, b, eventbus.Subscription{Durable: "external"}, r.handle)
	publishAll(t, b, testEvent("es", "e", 1))
	require.Eventually(t, func() bool { return r.len() == 1 }, 10*time.Second, 10*time.Millisecond)
}

func TestRedactedURLs(t *testing.T) {
	require.Equal(t, "nats://u:xxxxx@h:4222,nats://h2:4222", redacted([]string{"nats://u:secret@h:4222", "nats://h2:4222"}))
}

func TestConnectFailsWithoutServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, err := Connect(ctx, Options{URLs: []string{"nats://" + freeAddr(t)}})
	require.ErrorIs(t, err, eventbus.ErrUnavailable)
}

func TestServerOutageUnavailableThenRecovers(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	srv, err := StartEmbedded(ctx, EmbeddedOptions{DataDir: dir, Listen: "127.0.0.1:0", Logger: testLogger(t)})
	require.NoError(t, err)
	url := srv.ClientURL()
	const timeout = 2 * time.Second
	b := connect(t, Options{URLs: []string{url}, PublishTimeout: timeout, ReconnectWait: 50 * time.Millisecond})
	r := &recorder{t: t}
	subscribe(t, b, eventbus.Subscription{Durable: "outage"}, r.handle)
	publishAll(t, b, testEvent("es", "e", 1))
	require.Eventually(t, func() bool { return r.len() == 1 }, 10*time.Second, 10*time.Millisecond)

	require.NoError(t, srv.Shutdown(ctx))
	start := time.Now()
	_, err = b.Publish(ctx, testEvent("es", "e", 2))
	require.ErrorIs(t, err, eventbus.ErrUnavailable)
	require.Less(t, time.Since(start), timeout+10*time.Second, "the publish ends with its timeout, not a hang (a wide margin for a loaded machine)")

	// Same port, same store: the bus reconnects, the subscription resumes.
	startServer(t, dir, url[len("nats://"):])
	require.Eventually(t, func() bool {
		_, err := b.Publish(ctx, testEvent("es", "e", 2))
		return err == nil
	}, 20*time.Second, 50*time.Millisecond)
	require.Eventually(t, func() bool { return r.len() == 2 }, 20*time.Second, 10*time.Millisecond)
	require.Equal(t, []string{"es-e-1", "es-e-2"}, r.ids())
}

func TestConcurrentPublishers(t *testing.T) {
	b := newBus(t, Options{MaxInFlight: 64})
	r := &recorder{t: t}
	subscribe(t, b, eventbus.Subscription{Durable: "concurrent"}, r.handle)
	const publishers, each = 16, 100
	var wg sync.WaitGroup
	for p := range publishers {
		wg.Go(func() {
			for i := range each {
				ev := testEvent(fmt.Sprintf("es%d", p%4), "e", p*each+i)
				if _, err := b.Publish(context.Background(), ev); err != nil {
					t.Errorf("publishing %s: %v", ev.ID, err)
				}
			}
		})
	}
	wg.Wait()
	require.Equal(t, uint64(publishers*each), streamMsgs(t, b))
	require.Eventually(t, func() bool { return r.len() == publishers*each }, 30*time.Second, 10*time.Millisecond)
	st := b.Stats()
	require.Equal(t, uint64(publishers*each), st.Published)
	require.Zero(t, st.InFlight)
	require.Zero(t, st.PublishErrors)
}

func TestCloseDrainsPublishesAndEndsSubscriptions(t *testing.T) {
	srv := startServer(t, t.TempDir(), "")
	b, err := Connect(t.Context(), Options{InProcess: srv, Logger: testLogger(t)})
	require.NoError(t, err)

	subDone := make(chan error, 1)
	go func() {
		subDone <- b.Subscribe(context.Background(), eventbus.Subscription{Durable: "closing"}, func(ctx context.Context, m eventbus.Message) {
			_ = m.Ack(ctx)
		})
	}()
	require.Eventually(t, func() bool {
		_, err := b.js.Consumer(t.Context(), b.stream, "closing")
		return err == nil
	}, 10*time.Second, 10*time.Millisecond)

	var stored, closed atomic.Int64
	var wg sync.WaitGroup
	for p := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				_, err := b.Publish(context.Background(), testEvent("es", fmt.Sprint(p), i))
				switch {
				case err == nil:
					stored.Add(1)
				case errors.Is(err, eventbus.ErrClosed):
					closed.Add(1)
					return
				default:
					t.Errorf("publishing: %v", err)
					return
				}
			}
		})
	}
	require.Eventually(t, func() bool { return stored.Load() > 100 }, 10*time.Second, time.Millisecond)
	require.NoError(t, b.Close(t.Context()))
	wg.Wait()
	require.Equal(t, int64(8), closed.Load())
	require.ErrorIs(t, <-subDone, eventbus.ErrClosed)

	// Every acknowledged publish is in the stream.
	other := newBusOn(t, srv, Options{})
	require.Equal(t, uint64(stored.Load()), streamMsgs(t, other))

	_, err = b.Publish(t.Context(), testEvent("es", "e", 1))
	require.ErrorIs(t, err, eventbus.ErrClosed)
	require.ErrorIs(t, b.Subscribe(t.Context(), eventbus.Subscription{Durable: "late"}, func(context.Context, eventbus.Message) {}), eventbus.ErrClosed)
	_, err = b.KeyValue(t.Context(), "late")
	require.ErrorIs(t, err, eventbus.ErrClosed)
	require.NoError(t, b.Close(t.Context()))
}

func TestPublishRespectsContext(t *testing.T) {
	b := newBus(t, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := b.Publish(ctx, testEvent("es", "e", 1))
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, eventbus.ErrUnavailable)
}

func TestStreamRecreatedAfterDeletion(t *testing.T) {
	b := newBus(t, Options{PublishTimeout: 2 * time.Second})
	publishAll(t, b, testEvent("es", "e", 1))
	require.NoError(t, b.js.DeleteStream(t.Context(), b.stream))
	require.Eventually(t, func() bool {
		_, err := b.Publish(t.Context(), testEvent("es", "e", 2))
		return err == nil
	}, 20*time.Second, 50*time.Millisecond)
}

func TestConnectOptionsValidation(t *testing.T) {
	srv := startServer(t, t.TempDir(), "")
	for name, o := range map[string]Options{
		"no server":       {},
		"both":            {URLs: []string{"nats://127.0.0.1:4222"}, InProcess: srv},
		"two auths":       {InProcess: srv, Auth: AuthOptions{User: "u", Token: "t"}},
		"cert no key":     {InProcess: srv, TLS: &TLSOptions{CertFile: "c.pem"}},
		"bad stream":      {InProcess: srv, Stream: StreamOptions{Name: "a.b"}},
		"bad prefix":      {InProcess: srv, Stream: StreamOptions{SubjectPrefix: "a.*"}},
		"empty token":     {InProcess: srv, Stream: StreamOptions{SubjectPrefix: "a..b"}},
		"bad storage":     {InProcess: srv, Stream: StreamOptions{Storage: "tape"}},
		"replicas":        {InProcess: srv, Stream: StreamOptions{Replicas: 7}},
		"negative":        {InProcess: srv, MaxInFlight: -1},
		"missing CA file": {InProcess: srv, TLS: &TLSOptions{CAFile: "/no/such/ca.pem"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Connect(t.Context(), o)
			require.Error(t, err)
		})
	}
}

func TestStreamOptionsApplied(t *testing.T) {
	b := newBus(t, Options{Stream: StreamOptions{
		Name: "events", SubjectPrefix: "corp.herald", MaxAge: time.Hour, MaxMsgs: 10,
		MaxBytes: 1 << 20, Storage: StorageMemory, DuplicatesWindow: time.Minute,
	}})
	ack, err := b.Publish(t.Context(), testEvent("es", "e", 1))
	require.NoError(t, err)
	require.Equal(t, "events", ack.Stream)
	s, err := b.js.Stream(t.Context(), "events")
	require.NoError(t, err)
	cfg := s.CachedInfo().Config
	require.Equal(t, []string{"corp.herald.>"}, cfg.Subjects)
	require.Equal(t, time.Hour, cfg.MaxAge)
	require.Equal(t, int64(10), cfg.MaxMsgs)
	require.Equal(t, int64(1<<20), cfg.MaxBytes)
	require.Equal(t, time.Minute, cfg.Duplicates)
	require.Equal(t, "Memory", cfg.Storage.String())
	_, err = b.js.StreamNameBySubject(t.Context(), "corp.herald.es.e")
	require.NoError(t, err)
}

// TestEmbeddedSyncAndStoreLimits starts the server with each way of
// reaching the disk and with store limits: the server runs with them, and
// events are stored and read back.
func TestEmbeddedSyncAndStoreLimits(t *testing.T) {
	for _, tc := range []struct {
		name     string
		o        EmbeddedOptions
		sync     string
		maxStore int64
	}{
		{name: "defaults", sync: "2m0s"},
		{name: "always", o: EmbeddedOptions{SyncAlways: true}, sync: "always"},
		{name: "an interval", o: EmbeddedOptions{SyncInterval: 5 * time.Second}, sync: "5s"},
		{name: "store limits", o: EmbeddedOptions{MaxFileStore: 256 << 20, MaxMemoryStore: 64 << 20}, sync: "2m0s", maxStore: 256 << 20},
		{name: "the file store's limit alone", o: EmbeddedOptions{MaxFileStore: 128 << 20}, sync: "2m0s", maxStore: 128 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.DataDir, o.Logger = t.TempDir(), testLogger(t)
			srv, err := StartEmbedded(t.Context(), o)
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, srv.Shutdown(context.Background())) })
			require.Equal(t, tc.sync, srv.Sync())
			if tc.maxStore > 0 {
				require.Equal(t, tc.maxStore, srv.srv.JetStreamConfig().MaxStore)
				if o.MaxMemoryStore > 0 {
					require.Equal(t, o.MaxMemoryStore, srv.srv.JetStreamConfig().MaxMemory)
				}
			}
			b := newBusOn(t, srv, Options{DeliverAll: true})
			publishAll(t, b, testEvent("es", "e", 1), testEvent("es", "e", 2))
			require.Equal(t, uint64(2), streamMsgs(t, b))
		})
	}
}

// TestEventOverMaxPayloadIsTooLarge publishes events around the embedded
// server's max payload: the one over it is refused with ErrTooLarge (not
// as unavailable: trying again cannot help), and the bus goes on.
func TestEventOverMaxPayloadIsTooLarge(t *testing.T) {
	srv, err := StartEmbedded(t.Context(), EmbeddedOptions{DataDir: t.TempDir(), MaxPayload: 64 << 10, Logger: testLogger(t)})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Shutdown(context.Background())) })
	b := newBusOn(t, srv, Options{})
	big := testEvent("es", "e", 1)
	big.Data = fmt.Appendf(nil, `{"x":%q}`, strings.Repeat("a", 70<<10))
	_, err = b.Publish(t.Context(), big)
	require.ErrorIs(t, err, eventbus.ErrTooLarge)
	require.NotErrorIs(t, err, eventbus.ErrUnavailable)
	require.ErrorContains(t, err, "at most 65536 bytes")
	_, err = b.Publish(t.Context(), testEvent("es", "e", 2))
	require.NoError(t, err)
}

func TestDefaultMaxPayloadTakesAWholeWebhookBody(t *testing.T) {
	b := newBusOn(t, startServer(t, t.TempDir(), ""), Options{})
	ev := testEvent("es", "e", 1)
	// A body at the webhook's default limit (1 MiB) with Argo's envelope.
	ev.Data = fmt.Appendf(nil, `{"header":{"Content-Type":["application/json"]},"body":{"x":%q}}`, strings.Repeat("a", 1<<20))
	_, err := b.Publish(t.Context(), ev)
	require.NoError(t, err)
}
