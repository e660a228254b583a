package webhook

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

// TestFilterExpression runs a webhook with a filter.expression through the
// runner: requests the expression rejects are answered 200, as in Argo
// Events, but publish nothing.
func TestFilterExpression(t *testing.T) {
	port := webhooktest.FreePort(t)
	cfg := hook(port, "/orders", http.MethodPost)
	cfg.Filter = &v1alpha1.EventSourceFilter{Expression: "body.id == 4 && body.name != 'Joe' && header['X-Kind'][0] == 'order'"}
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "hooks", Namespace: "argo-events"}}
	es.Spec.Webhook = map[string]v1alpha1.WebhookEventSource{"orders": *cfg}

	rec := &sourcetest.Recorder{}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- eventsource.Run(ctx, eventsource.NewRegistry(Kind), webhooktest.Env(nil), es, rec.Emit)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			require.FailNow(t, "the runner did not stop")
		}
	})
	url := "http://127.0.0.1:" + port + "/orders"
	webhooktest.WaitReady(t, url, done)

	order := http.Header{"X-Kind": {"order"}}
	for _, tc := range []struct {
		body   string
		header http.Header
	}{
		{`{"id": 4, "name": "Joe"}`, order},
		{`{"id": 5, "name": "John"}`, order},
		{`{"id": 4, "name": "John"}`, http.Header{"X-Kind": {"refund"}}},
		{`{"id": 4, "name": "John"}`, nil},   // no header: the expression fails
		{`not json`, order},                  // body is a JSON string: body.id fails
		{`{"id": 4, "name": "John"}`, order}, // the one that passes
	} {
		resp, _ := webhooktest.Send(t, http.MethodPost, url, "application/json", tc.body, tc.header)
		require.Equal(t, http.StatusOK, resp.StatusCode, "body %s", tc.body)
	}
	events := rec.Events()
	require.Len(t, events, 1)
	require.JSONEq(t, `{"id": 4, "name": "John"}`, string(bodyOf(t, events[0].Data)))
}
