package hostile

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/webhook"
	"github.com/herald-dev/herald/internal/testenv"
)

// sink records the events a source emits.
type sink struct {
	mu     sync.Mutex
	events []*event.Event
}

func (s *sink) emit(_ context.Context, ev *event.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, ev)
	return nil
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events)
}

// startWebhook runs a webhook source (bearer token "s3cret", body limit
// 1 MiB) on a free loopback port and returns its URL.
func startWebhook(t *testing.T, rec *sink) string {
	t.Helper()
	port, err := testenv.FreePort()
	require.NoError(t, err)
	limit := int64(1 << 20)
	cfg := &v1alpha1.WebhookEventSource{WebhookContext: v1alpha1.WebhookContext{
		Port: strconv.Itoa(port), Endpoint: "/push", Method: "POST", MaxPayloadSize: &limit,
		AuthSecret: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "hook"}, Key: "token"},
	}}
	env := eventsource.Env{
		Logger: slog.New(slog.DiscardHandler), Namespace: "ns", Shared: eventsource.NewShared(), WebhookHost: "127.0.0.1",
		Secrets: func(context.Context, string, *corev1.SecretKeySelector) ([]byte, error) { return []byte("s3cret"), nil },
	}
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "hooks", Namespace: "ns"}}
	src, err := webhook.New(env, eventsource.Spec{EventSource: es, Name: "push", Config: cfg})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Start(ctx, rec.emit) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/push"
	require.Eventually(t, func() bool {
		resp, err := http.Get(url) //nolint:noctx // a probe
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode != http.StatusNotFound
	}, 10*time.Second, 10*time.Millisecond)
	return url
}

// TestWebhookHostile sends hostile requests to a running webhook source:
// each gets its status, a refused one publishes nothing, and a good
// request sent after it is still accepted and published.
func TestWebhookHostile(t *testing.T) {
	rec := &sink{}
	url := startWebhook(t, rec)
	auth := map[string]string{"Authorization": "Bearer s3cret"}
	with := func(h map[string]string) map[string]string {
		out := map[string]string{"Authorization": "Bearer s3cret"}
		for k, v := range h {
			out[k] = v
		}
		return out
	}
	rows := []struct {
		name    string
		method  string
		path    string
		header  map[string]string
		body    io.Reader
		status  int
		publish bool
	}{
		{"body of 10 MB", "POST", "", auth, strings.NewReader(tenMB), 413, false},
		{"body of 10 MB, chunked (no length)", "POST", "", auth, io.MultiReader(strings.NewReader(tenMB)), 413, false},
		{"body just over the limit", "POST", "", auth, strings.NewReader(strings.Repeat("x", 1<<20+1)), 413, false},
		{"JSON nested 100000 deep", "POST", "", with(map[string]string{"Content-Type": "application/json"}), strings.NewReader(deepArrays), 200, true},
		{"invalid UTF-8 body", "POST", "", auth, strings.NewReader(badUTF8), 200, true},
		{"NUL bytes in the body", "POST", "", auth, strings.NewReader(nulBytes), 200, true},
		{"truncated JSON", "POST", "", with(map[string]string{"Content-Type": "application/json"}), strings.NewReader(`{"a": [1, 2`), 200, true},
		{"duplicate JSON keys", "POST", "", auth, strings.NewReader(`{"a": 1, "a": 2}`), 200, true},
		{"a huge number", "POST", "", auth, strings.NewReader(`{"n": 1` + strings.Repeat("0", 100000) + `}`), 200, true},
		{"a form with a bad escape", "POST", "", with(map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), strings.NewReader("a=%zz"), 400, false},
		{"a form of 1000 fields", "POST", "", with(map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), strings.NewReader(strings.Repeat("a=1&", 1000)), 200, true},
		// net/url refuses more than 10000 parameters.
		{"a form of 100000 fields", "POST", "", with(map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), strings.NewReader(strings.Repeat("a=1&", 100000)), 400, false},
		{"a header value of 100 KB", "POST", "", with(map[string]string{"X-Big": strings.Repeat("v", 100<<10)}), strings.NewReader(`{}`), 200, true},
		{"headers over 1 MB", "POST", "", with(map[string]string{"X-Huge": strings.Repeat("v", 2<<20)}), strings.NewReader(`{}`), 431, false},
		{"a broken Content-Type", "POST", "", with(map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=\"\xff"}), strings.NewReader("a=1"), 200, true},
		{"no token", "POST", "", nil, strings.NewReader(`{}`), 401, false},
		{"a token of 100 KB", "POST", "", map[string]string{"Authorization": "Bearer " + strings.Repeat("s", 100<<10)}, strings.NewReader(`{}`), 401, false},
		{"a wrong method", "DELETE", "", auth, strings.NewReader(`{}`), 405, false},
		{"a path that climbs", "POST", "/../push/../../etc/passwd", auth, strings.NewReader(`{}`), 404, false},
		{"an Idempotency-Key of 100 KB", "POST", "", with(map[string]string{"Idempotency-Key": strings.Repeat("k", 100<<10)}), strings.NewReader(`{}`), 200, true},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			before := rec.count()
			status := send(t, row.method, url+row.path, row.header, row.body)
			require.Equal(t, row.status, status)
			if row.publish {
				require.Equal(t, before+1, rec.count())
			} else {
				require.Equal(t, before, rec.count())
			}
			// A good request still goes through.
			require.Equal(t, http.StatusOK, send(t, "POST", url, auth, strings.NewReader(`{"ok": true}`)))
			require.Equal(t, map[bool]int{true: before + 2, false: before + 1}[row.publish], rec.count())
		})
	}
}

// send makes one request and returns its status; a request the server
// cuts off while the body is still being sent counts with the status the
// server answered.
func send(t *testing.T, method, url string, header map[string]string, body io.Reader) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), rowTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = []string{v}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
