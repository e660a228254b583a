package webhook

import (
	"context"
	"encoding/json"
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

// testEnv is an Env binding webhooks to the loopback address.
func testEnv(sec secrets) eventsource.Env {
	return eventsource.Env{
		Logger:      slog.New(slog.DiscardHandler),
		Namespace:   "argo-events",
		Shared:      eventsource.NewShared(),
		WebhookHost: "127.0.0.1",
		Secrets:     sec.read,
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) string {
	t.Helper()
	port, err := testenv.FreePort()
	require.NoError(t, err)
	return strconv.Itoa(port)
}

func testSpec(name string, cfg *v1alpha1.WebhookEventSource) eventsource.Spec {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "hooks", Namespace: "argo-events"}}
	return eventsource.Spec{EventSource: es, Name: name, Config: cfg}
}

func hook(port, endpoint, method string) *v1alpha1.WebhookEventSource {
	return &v1alpha1.WebhookEventSource{WebhookContext: v1alpha1.WebhookContext{Port: port, Endpoint: endpoint, Method: method}}
}

// recorder is an Emit that records events and returns a chosen error.
type recorder struct {
	mu     sync.Mutex
	events []*event.Event
	err    error
}

func (r *recorder) emit(_ context.Context, ev *event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	cp := *ev
	r.events = append(r.events, &cp)
	return nil
}

func (r *recorder) setErr(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

func (r *recorder) all() []*event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*event.Event(nil), r.events...)
}

// client sends requests without keeping connections (no leaked goroutines).
var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}

// started is a webhook source running in the background.
type started struct {
	cancel context.CancelFunc
	done   chan error
	url    string
}

// start runs a webhook source and waits until its endpoint answers.
func start(t *testing.T, env eventsource.Env, spec eventsource.Spec, emit eventsource.Emit, opts ...Option) *started {
	t.Helper()
	src, err := New(env, spec, opts...)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	s := &started{cancel: cancel, done: make(chan error, 1)}
	cfg := spec.Config.(*v1alpha1.WebhookEventSource)
	s.url = "http://127.0.0.1:" + cfg.Port + cfg.Endpoint
	go func() { s.done <- src.Start(ctx, emit) }()
	t.Cleanup(func() { s.stop(t) })
	waitReady(t, s.url, s.done)
	return s
}

// waitReady polls the endpoint with a method no webhook accepts until it
// answers with something else than 404 (the endpoint is registered).
func waitReady(t *testing.T, url string, done chan error) {
	t.Helper()
	require.Eventually(t, func() bool {
		select {
		case err := <-done:
			done <- err
			require.FailNow(t, "the source stopped", "Start returned %v", err)
		default:
		}
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

// stop cancels the source and requires Start to return nil.
func (s *started) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the webhook source did not stop")
	}
}

// send makes a request and returns the response with its body read.
func send(t *testing.T, method, url, contentType, body string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body == "" {
		req.Body = http.NoBody
		req.ContentLength = 0
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// requireJSON decodes data into v.
func requireJSON(t *testing.T, data []byte, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(data, v), "event data: %s", data)
}

// bodyOf returns the "body" of event data as raw JSON.
func bodyOf(t *testing.T, data []byte) json.RawMessage {
	t.Helper()
	var p struct {
		Body json.RawMessage `json:"body"`
	}
	requireJSON(t, data, &p)
	return p.Body
}
