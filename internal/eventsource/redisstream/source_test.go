package redisstream

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/testenv"
)

const wait = 10 * time.Second

func startRedis(t *testing.T) (*testenv.Redis, *goredis.Client) {
	t.Helper()
	srv, err := testenv.StartRedis(testenv.RedisOptions{Dir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	c := goredis.NewClient(&goredis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = c.Close() })
	return srv, c
}

// addWhenGrouped waits until stream has its consumer group, then adds an
// entry with values.
func addWhenGrouped(t *testing.T, c *goredis.Client, stream string, values map[string]any) string {
	t.Helper()
	require.Eventually(t, func() bool {
		groups, err := c.XInfoGroups(t.Context(), stream).Result()
		return err == nil && len(groups) > 0
	}, wait, 10*time.Millisecond)
	id, err := c.XAdd(t.Context(), &goredis.XAddArgs{Stream: stream, Values: values}).Result()
	require.NoError(t, err)
	return id
}

func testEnv() eventsource.Env {
	return eventsource.Env{Logger: slog.New(slog.DiscardHandler), Namespace: "argo-events"}
}

func testSpec(cfg *v1alpha1.RedisStreamEventSource) eventsource.Spec {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "streams-es", Namespace: "argo-events"}}
	return eventsource.Spec{EventSource: es, Name: "entries", Config: cfg}
}

func TestConformance(t *testing.T) {
	srv, c := startRedis(t)
	cfg := &v1alpha1.RedisStreamEventSource{HostAddress: srv.Addr, Streams: []string{"orders"}}
	spec := testSpec(cfg)
	sourcetest.Run(t, sourcetest.Harness{
		Kind: KindName, Spec: spec, Retries: true,
		New: func(t *testing.T) (eventsource.Source, sourcetest.Trigger) {
			src, err := New(testEnv(), spec)
			require.NoError(t, err)
			return src, func(t *testing.T) error {
				addWhenGrouped(t, c, "orders", map[string]any{"id": "1"})
				return nil
			}
		},
	})
}

type running struct {
	cancel context.CancelFunc
	done   chan error
	events chan *event.Event
	mu     sync.Mutex
	fail   error
	tries  atomic.Int32
}

func start(t *testing.T, cfg *v1alpha1.RedisStreamEventSource) *running {
	t.Helper()
	src, err := New(testEnv(), testSpec(cfg))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1), events: make(chan *event.Event, 10)}
	emit := eventsource.WithEnvelope(testSpec(cfg), KindName, func(_ context.Context, ev *event.Event) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.fail != nil {
			r.tries.Add(1)
			return r.fail
		}
		cp := *ev
		r.events <- &cp
		return nil
	})
	go func() { r.done <- src.Start(ctx, emit) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		require.NoError(t, err)
	case <-time.After(wait):
		require.FailNow(t, "the source did not stop")
	}
}

func (r *running) next(t *testing.T) *event.Event {
	t.Helper()
	select {
	case ev := <-r.events:
		return ev
	case err := <-r.done:
		r.done <- err
		require.FailNow(t, "the source stopped", "Start returned %v", err)
	case <-time.After(wait):
		require.FailNow(t, "no event")
	}
	return nil
}

func TestPayloadHasArgoShape(t *testing.T) {
	srv, c := startRedis(t)
	r := start(t, &v1alpha1.RedisStreamEventSource{
		HostAddress: srv.Addr, Streams: []string{"a", "b"}, ConsumerGroup: "cg",
		Metadata: map[string]string{"team": "a"},
	})
	id := addWhenGrouped(t, c, "b", map[string]any{"k": "v"})
	ev := r.next(t)
	require.JSONEq(t, `{"stream":"b","message_id":"`+id+`","values":{"k":"v"},"metadata":{"team":"a"}}`, string(ev.Data))
	groups, err := c.XInfoGroups(t.Context(), "a").Result()
	require.NoError(t, err)
	require.Equal(t, "cg", groups[0].Name)
}

func TestRestartLosesNothing(t *testing.T) {
	srv, c := startRedis(t)
	cfg := &v1alpha1.RedisStreamEventSource{HostAddress: srv.Addr, Streams: []string{"orders"}, MaxMsgCountPerRead: 1}
	n := func(ev *event.Event) string {
		var p payload
		require.NoError(t, json.Unmarshal(ev.Data, &p))
		return p.Values["n"].(string)
	}

	r1 := start(t, cfg)
	addWhenGrouped(t, c, "orders", map[string]any{"n": "1"})
	first := r1.next(t)
	require.Equal(t, "1", n(first))
	// The bus goes away: entry 2 is read, never published, never acked.
	r1.mu.Lock()
	r1.fail = fmt.Errorf("publishing: %w", eventbus.ErrUnavailable)
	r1.mu.Unlock()
	id2 := addWhenGrouped(t, c, "orders", map[string]any{"n": "2"})
	require.Eventually(t, func() bool { return r1.tries.Load() > 0 }, wait, 10*time.Millisecond)
	r1.stop(t)
	pending, err := c.XPending(t.Context(), "orders", DefaultConsumerGroup).Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), pending.Count)
	require.Equal(t, id2, pending.Lower)
	// Entry 3 is added while the source is stopped.
	addWhenGrouped(t, c, "orders", map[string]any{"n": "3"})

	r2 := start(t, cfg)
	second := r2.next(t)
	require.Equal(t, "2", n(second))
	require.Equal(t, "3", n(r2.next(t)))
	require.Eventually(t, func() bool {
		p, err := c.XPending(t.Context(), "orders", DefaultConsumerGroup).Result()
		return err == nil && p.Count == 0
	}, wait, 10*time.Millisecond)
	select {
	case ev := <-r2.events:
		require.FailNow(t, "an entry came twice", "%s", ev.Data)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestUnreachableServerFails(t *testing.T) {
	port, err := testenv.FreePort()
	require.NoError(t, err)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	src, err := New(testEnv(), testSpec(&v1alpha1.RedisStreamEventSource{HostAddress: addr, Streams: []string{"s"}}))
	require.NoError(t, err)
	err = src.Start(t.Context(), func(context.Context, *event.Event) error { return nil })
	require.ErrorContains(t, err, "creating consumer group argo-events-cg on redis stream s at "+addr)
}

func TestKindRegistered(t *testing.T) {
	k, ok := eventsource.Default.Lookup(KindName)
	require.True(t, ok)
	require.NotEmpty(t, k.Doc)
	spec := &v1alpha1.EventSourceSpec{RedisStream: map[string]v1alpha1.RedisStreamEventSource{"a": {HostAddress: "h:1"}}}
	require.Equal(t, "h:1", k.Configs(spec)["a"].(*v1alpha1.RedisStreamEventSource).HostAddress)
}
