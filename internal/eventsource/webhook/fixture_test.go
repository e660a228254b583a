package webhook

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

func testSpec(name string, cfg *v1alpha1.WebhookEventSource) eventsource.Spec {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "hooks", Namespace: "argo-events"}}
	return eventsource.Spec{EventSource: es, Name: name, Config: cfg}
}

func hook(port, endpoint, method string) *v1alpha1.WebhookEventSource {
	return &v1alpha1.WebhookEventSource{WebhookContext: v1alpha1.WebhookContext{Port: port, Endpoint: endpoint, Method: method}}
}

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
	webhooktest.WaitReady(t, s.url, s.done)
	return s
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
