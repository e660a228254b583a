package redisstream

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
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

// start builds the source of cfg and runs it in the background, recording
// its events, until the test ends or Stop is called.
func start(t *testing.T, cfg *v1alpha1.RedisStreamEventSource) *sourcetest.Running {
	t.Helper()
	src, err := New(testEnv(), testSpec(cfg))
	require.NoError(t, err)
	return sourcetest.Record(t, src)
}

func TestPayloadHasArgoShape(t *testing.T) {
	srv, c := startRedis(t)
	r := start(t, &v1alpha1.RedisStreamEventSource{
		HostAddress: srv.Addr, Streams: []string{"a", "b"}, ConsumerGroup: "cg",
		Metadata: map[string]string{"team": "a"},
	})
	id := addWhenGrouped(t, c, "b", map[string]any{"k": "v"})
	ev := r.Next(t)
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
	first := r1.Next(t)
	require.Equal(t, "1", n(first))
	// The bus goes away: entry 2 is read, never published, never acked.
	r1.SetErr(fmt.Errorf("publishing: %w", eventbus.ErrUnavailable))
	id2 := addWhenGrouped(t, c, "orders", map[string]any{"n": "2"})
	// A failed emit is an attempt, not an event.
	require.Eventually(t, func() bool { return r1.Attempts() > len(r1.Events()) }, wait, 10*time.Millisecond)
	r1.Stop()
	pending, err := c.XPending(t.Context(), "orders", DefaultConsumerGroup).Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), pending.Count)
	require.Equal(t, id2, pending.Lower)
	// Entry 3 is added while the source is stopped.
	addWhenGrouped(t, c, "orders", map[string]any{"n": "3"})

	r2 := start(t, cfg)
	second := r2.Next(t)
	require.Equal(t, "2", n(second))
	require.Equal(t, "3", n(r2.Next(t)))
	require.Eventually(t, func() bool {
		p, err := c.XPending(t.Context(), "orders", DefaultConsumerGroup).Result()
		return err == nil && p.Count == 0
	}, wait, 10*time.Millisecond)
	require.Never(t, func() bool { return len(r2.Events()) > 2 }, 300*time.Millisecond, 10*time.Millisecond, "an entry came twice")
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
