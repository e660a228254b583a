package eventsource_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/webhook"
	"github.com/herald-dev/herald/internal/testenv"
)

// TestRunPublishesToJetStream runs a webhook EventSource through the runner
// into a real JetStream: requests become CloudEvents in the stream, a
// client's repeat with the same Idempotency-Key is stored once, and with the
// server gone the client is told to try again later.
func TestRunPublishesToJetStream(t *testing.T) {
	srv, err := testenv.StartNATS()
	require.NoError(t, err)
	stopped := false
	defer func() {
		if !stopped {
			srv.Stop()
		}
	}()
	nc, err := nats.Connect(srv.URL, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	stream, err := js.CreateStream(t.Context(), jetstream.StreamConfig{
		Name: "herald", Subjects: []string{"herald.>"}, Duplicates: 2 * time.Minute,
	})
	require.NoError(t, err)

	publish := func(ctx context.Context, ev *event.Event) error {
		data, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if _, err := js.Publish(ctx, "herald."+ev.Source+"."+ev.Subject, data, jetstream.WithMsgID(ev.ID)); err != nil {
			return fmt.Errorf("publishing event %s: %w: %w", ev.ID, eventbus.ErrUnavailable, err)
		}
		return nil
	}

	port := freePort(t)
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "hooks", Namespace: "argo-events"}}
	es.Spec.Webhook = map[string]v1alpha1.WebhookEventSource{
		"push": {WebhookContext: v1alpha1.WebhookContext{Port: port, Endpoint: "/push", Method: "POST"}},
	}
	reg := eventsource.NewRegistry(webhook.Kind)
	env := eventsource.Env{Logger: slog.New(slog.DiscardHandler), WebhookHost: "127.0.0.1"}
	stats := &eventsource.Stats{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eventsource.Run(ctx, reg, env, es, publish, eventsource.WithMetrics(stats)) }()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()

	url := "http://127.0.0.1:" + port + "/push"
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	post := func(key string) *http.Response {
		req, err := http.NewRequest("POST", url, strings.NewReader(`{"order":42}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set(webhook.IdempotencyKeyHeader, key)
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		return resp
	}
	require.Eventually(t, func() bool {
		resp, err := client.Get("http://127.0.0.1:" + port + "/health")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 5*time.Millisecond)

	require.Equal(t, http.StatusOK, post("k1").StatusCode)
	require.Equal(t, http.StatusOK, post("k1").StatusCode, "a repeat is acknowledged")
	require.Equal(t, http.StatusOK, post("").StatusCode)

	info, err := stream.Info(t.Context())
	require.NoError(t, err)
	require.Equal(t, uint64(2), info.State.Msgs, "the repeat was stored once")
	msg, err := stream.GetMsg(t.Context(), 1)
	require.NoError(t, err)
	require.Equal(t, "herald.hooks.push", msg.Subject)
	var ev event.Event
	require.NoError(t, json.Unmarshal(msg.Data, &ev))
	require.Equal(t, "hooks", ev.Source)
	require.Equal(t, "push", ev.Subject)
	require.Equal(t, "webhook", ev.Type)
	require.Equal(t, event.ContentTypeJSON, ev.DataContentType)
	var data struct {
		Body json.RawMessage `json:"body"`
	}
	require.NoError(t, json.Unmarshal(ev.Data, &data))
	require.JSONEq(t, `{"order":42}`, string(data.Body))

	// Without the bus, the client is told to try again later.
	srv.Stop()
	stopped = true
	resp := post("")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, "1", resp.Header.Get("Retry-After"))
	require.Equal(t, eventsource.Counts{Emitted: 3, Failed: 1}, stats.Snapshot()[eventsource.StatsKey{Namespace: "argo-events", EventSource: "hooks", Event: "push"}])
}

func freePort(t *testing.T) string {
	t.Helper()
	port, err := testenv.FreePort()
	require.NoError(t, err)
	return strconv.Itoa(port)
}
