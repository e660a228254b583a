package github

import (
	"context"
	"errors"
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

func testEnv(sec secrets) eventsource.Env {
	return eventsource.Env{
		Logger: slog.New(slog.DiscardHandler), Namespace: "argo-events", Shared: eventsource.NewShared(),
		WebhookHost: "127.0.0.1", Secrets: sec.read,
	}
}

func freePort(t testing.TB) string {
	t.Helper()
	port, err := testenv.FreePort()
	require.NoError(t, err)
	return strconv.Itoa(port)
}

func testSpec(name string, cfg *v1alpha1.GithubEventSource) eventsource.Spec {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "gh", Namespace: "argo-events"}}
	return eventsource.Spec{EventSource: es, Name: name, Config: cfg}
}

func hookConfig(port string) *v1alpha1.GithubEventSource {
	return &v1alpha1.GithubEventSource{Webhook: &v1alpha1.WebhookContext{Port: port, Endpoint: "/github", Method: "POST"}}
}

// recorder is an Emit that records events.
type recorder struct {
	mu     sync.Mutex
	events []*event.Event
}

func (r *recorder) emit(_ context.Context, ev *event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cp := *ev
	r.events = append(r.events, &cp)
	return nil
}

func (r *recorder) all() []*event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*event.Event(nil), r.events...)
}

var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}

// start runs a source until the test ends and waits for its endpoint.
func start(t *testing.T, env eventsource.Env, spec eventsource.Spec, emit eventsource.Emit) string {
	t.Helper()
	src, err := New(env, spec)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Start(ctx, emit) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	cfg := spec.Config.(*v1alpha1.GithubEventSource)
	url := "http://127.0.0.1:" + cfg.Webhook.Port + cfg.Webhook.Endpoint
	waitReady(t, url)
	return url
}

// waitReady polls the endpoint until it is registered (no longer 404).
func waitReady(t *testing.T, url string) {
	t.Helper()
	require.Eventually(t, func() bool {
		req, err := http.NewRequest("PROBE", url, nil)
		require.NoError(t, err)
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode != http.StatusNotFound
	}, 10*time.Second, 5*time.Millisecond)
}

// deliver posts a delivery and returns the status and the answer's body.
func deliver(t *testing.T, url, contentType, body string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	require.NoError(t, err)
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}
