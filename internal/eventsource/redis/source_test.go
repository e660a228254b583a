package redis

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/testenv"
)

const wait = 10 * time.Second

// startRedis starts a redis-server for the test.
func startRedis(t *testing.T, opts testenv.RedisOptions) *testenv.Redis {
	t.Helper()
	opts.Dir = t.TempDir()
	srv, err := testenv.StartRedis(opts)
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	return srv
}

// publisher returns a client of srv, closed when the test ends.
func publisher(t *testing.T, srv *testenv.Redis, password string) *goredis.Client {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: srv.Addr, Password: password})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// publishWhenSubscribed waits until a pattern subscription exists, then
// publishes msg on channel.
func publishWhenSubscribed(t *testing.T, c *goredis.Client, channel, msg string) {
	t.Helper()
	require.Eventually(t, func() bool {
		n, err := c.PubSubNumPat(t.Context()).Result()
		return err == nil && n > 0
	}, wait, 10*time.Millisecond)
	require.NoError(t, c.Publish(t.Context(), channel, msg).Err())
}

func testEnv(secrets map[string]string) eventsource.Env {
	return eventsource.Env{
		Logger:    slog.New(slog.DiscardHandler),
		Namespace: "argo-events",
		Secrets: func(_ context.Context, ns string, sel *corev1.SecretKeySelector) ([]byte, error) {
			v, ok := secrets[ns+"/"+sel.Name+"/"+sel.Key]
			if !ok {
				return nil, fmt.Errorf("no secret %s/%s", sel.Name, sel.Key)
			}
			return []byte(v), nil
		},
	}
}

func testSpec(cfg *v1alpha1.RedisEventSource) eventsource.Spec {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "redis-es", Namespace: "argo-events"}}
	return eventsource.Spec{EventSource: es, Name: "messages", Config: cfg}
}

func TestConformance(t *testing.T) {
	srv := startRedis(t, testenv.RedisOptions{})
	pub := publisher(t, srv, "")
	cfg := &v1alpha1.RedisEventSource{HostAddress: srv.Addr, Channels: []string{"orders.*"}, JSONBody: true}
	env := testEnv(nil)
	spec := testSpec(cfg)
	sourcetest.Run(t, sourcetest.Harness{
		Kind: KindName, Spec: spec, Retries: true,
		New: func(t *testing.T) (eventsource.Source, sourcetest.Trigger) {
			// The previous subtest's source may still be subscribed for a
			// moment: publishWhenSubscribed must see this one's subscription.
			require.Eventually(t, func() bool {
				n, err := pub.PubSubNumPat(t.Context()).Result()
				return err == nil && n == 0
			}, wait, 10*time.Millisecond, "the previous source is still subscribed")
			src, err := New(env, spec)
			require.NoError(t, err)
			return src, func(t *testing.T) error {
				publishWhenSubscribed(t, pub, "orders.new", `{"id":1}`)
				return nil
			}
		},
	})
}

// start builds the source of cfg and runs it in the background, recording
// its events, until the test ends or Stop is called.
func start(t *testing.T, env eventsource.Env, cfg *v1alpha1.RedisEventSource) *sourcetest.Running {
	t.Helper()
	src, err := New(env, testSpec(cfg))
	require.NoError(t, err)
	return sourcetest.Record(t, src)
}

func TestPayloadHasArgoShape(t *testing.T) {
	srv := startRedis(t, testenv.RedisOptions{Password: "pw", Users: map[string]string{"herald": "userpw"}})
	pub := publisher(t, srv, "pw")
	for name, tc := range map[string]struct {
		cfg  v1alpha1.RedisEventSource
		body string
	}{
		"json body, password from another namespace": {
			cfg: v1alpha1.RedisEventSource{
				Channels: []string{"orders"}, JSONBody: true, Namespace: "secrets",
				Password: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "redis"}, Key: "password"},
			},
			body: `{"id":7}`,
		},
		"string body, ACL user": {
			cfg: v1alpha1.RedisEventSource{
				Channels: []string{"orders"}, Username: "herald",
				Password: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "redis"}, Key: "user"},
			},
			body: `"{\"id\":7}"`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.HostAddress = srv.Addr
			cfg.Metadata = map[string]string{"team": "a"}
			r := start(t, testEnv(map[string]string{"secrets/redis/password": "pw\n", "argo-events/redis/user": "userpw"}), &cfg)
			publishWhenSubscribed(t, pub, "orders", `{"id":7}`)
			ev := r.Next(t)
			require.JSONEq(t, `{"channel":"orders","pattern":"orders","body":`+tc.body+`,"metadata":{"team":"a"}}`, string(ev.Data))
			r.Stop()
			require.Eventually(t, func() bool { n, _ := pub.PubSubNumPat(t.Context()).Result(); return n == 0 }, wait, 10*time.Millisecond)
		})
	}
}

func TestPublishFailureIsRetried(t *testing.T) {
	srv := startRedis(t, testenv.RedisOptions{})
	pub := publisher(t, srv, "")
	r := start(t, testEnv(nil), &v1alpha1.RedisEventSource{HostAddress: srv.Addr, Channels: []string{"c"}})
	r.SetErr(fmt.Errorf("publishing: %w", eventbus.ErrUnavailable))
	publishWhenSubscribed(t, pub, "c", "one")
	require.Eventually(t, func() bool { return r.Attempts() >= 2 }, wait, 10*time.Millisecond)
	r.SetErr(nil)
	require.Contains(t, string(r.Next(t).Data), `"body":"one"`)
}

func TestNotJSONIsRejected(t *testing.T) {
	srv := startRedis(t, testenv.RedisOptions{})
	pub := publisher(t, srv, "")
	r := start(t, testEnv(nil), &v1alpha1.RedisEventSource{HostAddress: srv.Addr, Channels: []string{"c"}, JSONBody: true})
	publishWhenSubscribed(t, pub, "c", "not json")
	require.NoError(t, pub.Publish(t.Context(), "c", `{"ok":true}`).Err())
	require.Contains(t, string(r.Next(t).Data), `"body":{"ok":true}`)
	require.Equal(t, uint64(1), r.Source.(*source).Rejected())
}

func TestUnreachableServerFails(t *testing.T) {
	port, err := testenv.FreePort()
	require.NoError(t, err)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	src, err := New(testEnv(nil), testSpec(&v1alpha1.RedisEventSource{HostAddress: addr, Channels: []string{"c"}}))
	require.NoError(t, err)
	err = src.Start(t.Context(), func(context.Context, *event.Event) error { return nil })
	require.ErrorContains(t, err, "subscribing redis messages to [c] on "+addr)
}

func TestWrongPasswordFails(t *testing.T) {
	srv := startRedis(t, testenv.RedisOptions{Password: "pw"})
	src, err := New(testEnv(map[string]string{"argo-events/redis/password": "nope"}), testSpec(&v1alpha1.RedisEventSource{
		HostAddress: srv.Addr, Channels: []string{"c"},
		Password: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "redis"}, Key: "password"},
	}))
	require.NoError(t, err)
	err = src.Start(t.Context(), func(context.Context, *event.Event) error { return nil })
	require.ErrorContains(t, err, "subscribing redis messages")
}

func TestKindRegistered(t *testing.T) {
	k, ok := eventsource.Default.Lookup(KindName)
	require.True(t, ok)
	require.NotEmpty(t, k.Doc)
	spec := &v1alpha1.EventSourceSpec{Redis: map[string]v1alpha1.RedisEventSource{"a": {HostAddress: "h:1"}}}
	require.Equal(t, "h:1", k.Configs(spec)["a"].(*v1alpha1.RedisEventSource).HostAddress)
}
