package mqtt

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

// bodies returns the "body" of each event's data, sorted by arrival.
func bodies(t *testing.T, events []*event.Event) []string {
	t.Helper()
	out := make([]string, len(events))
	for i, ev := range events {
		var p struct {
			Body json.RawMessage `json:"body"`
		}
		require.NoError(t, json.Unmarshal(ev.Data, &p))
		out[i] = string(p.Body)
	}
	return out
}

// Messages sent while the source is stopped are delivered when it is back.
func TestRestartWithoutLoss(t *testing.T) {
	b := startBroker(t, nil)
	cfg := &v1alpha1.MQTTEventSource{URL: b.url, Topic: "devices/+/state", ClientID: "herald-restart", JSONBody: true}
	rec := &sourcetest.Recorder{}
	src, err := New(testEnv(nil), testSpec("state", cfg))
	require.NoError(t, err)
	stop := sourcetest.Background(t, src, rec.Emit)
	b.waitSubscribed(t, cfg.ClientID, cfg.Topic, 1)
	b.publish(t, "devices/a/state", `{"n":1}`)
	require.Eventually(t, func() bool { return len(rec.Events()) == 1 && b.inflight(cfg.ClientID) == 0 }, 10*time.Second, 10*time.Millisecond)
	stop()

	b.publish(t, "devices/b/state", `{"n":2}`)
	b.publish(t, "devices/c/state", `{"n":3}`)
	require.Equal(t, 2, b.inflight(cfg.ClientID), "the broker keeps the messages for the stopped source")

	src, err = New(testEnv(nil), testSpec("state", cfg))
	require.NoError(t, err)
	sourcetest.Background(t, src, rec.Emit)
	require.Eventually(t, func() bool { return b.inflight(cfg.ClientID) == 0 }, 10*time.Second, 10*time.Millisecond, "every message is acknowledged")
	require.ElementsMatch(t, []string{`{"n":1}`, `{"n":2}`, `{"n":3}`}, bodies(t, rec.Events()))
}

// A message whose event the bus did not take is not acknowledged: stopped
// meanwhile, the source gets it again when it comes back.
func TestUnpublishedMessageIsDeliveredAgain(t *testing.T) {
	b := startBroker(t, nil)
	cfg := &v1alpha1.MQTTEventSource{URL: b.url, Topic: "orders", ClientID: "herald-orders"}
	rec := &sourcetest.Recorder{}
	rec.SetErr(fmt.Errorf("publishing: %w", eventbus.ErrUnavailable))
	src, err := New(testEnv(nil), testSpec("orders", cfg))
	require.NoError(t, err)
	stop := sourcetest.Background(t, src, rec.Emit)
	b.waitSubscribed(t, cfg.ClientID, cfg.Topic, 1)
	b.publish(t, "orders", "first")
	require.Eventually(t, func() bool { return rec.Attempts() >= 2 }, 10*time.Second, 10*time.Millisecond, "the source retries")
	require.Equal(t, 1, b.inflight(cfg.ClientID), "not acknowledged while the bus is down")
	stop()
	require.Empty(t, rec.Events())

	rec.SetErr(nil)
	src, err = New(testEnv(nil), testSpec("orders", cfg))
	require.NoError(t, err)
	sourcetest.Background(t, src, rec.Emit)
	require.Eventually(t, func() bool { return len(rec.Events()) == 1 && b.inflight(cfg.ClientID) == 0 }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, []string{`"Zmlyc3Q="`}, bodies(t, rec.Events()), "the raw body is base64, as in Argo")
}
