package engine

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/webhook"
	"github.com/herald-dev/herald/internal/trigger"
	logtrigger "github.com/herald-dev/herald/internal/trigger/log"
)

// changes counts the OnChange calls per object.
type changes struct {
	mu sync.Mutex
	n  map[Ref]int
}

func (c *changes) add(r Ref) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[r]++
}

func (c *changes) get(r Ref) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[r]
}

func startRuntime(t *testing.T, cfg Config) (*Runtime, *changes) {
	t.Helper()
	ch := &changes{n: map[Ref]int{}}
	cfg.DataDir, cfg.WebhookHost, cfg.NoTraces, cfg.Namespace = t.TempDir(), "127.0.0.1", true, "default"
	cfg.OnChange = ch.add
	rt, err := Start(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(rt.Close)
	return rt, ch
}

func hookSource(name string, port int) *v1alpha1.EventSource {
	return &v1alpha1.EventSource{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1alpha1.EventSourceSpec{Webhook: map[string]v1alpha1.WebhookEventSource{
			"push": {WebhookContext: v1alpha1.WebhookContext{Endpoint: "/push", Port: fmt.Sprint(port), Method: http.MethodPost}},
		}},
	}
}

func hookPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}

// answers reports whether a webhook answers 200 on port.
func answers(port int) bool {
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/push", port), "application/json", strings.NewReader(`{}`))
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func TestRuntimeReplacesOnlyChangedSpecs(t *testing.T) {
	rt, ch := startRuntime(t, Config{Sources: eventsource.NewRegistry(webhook.Kind), Triggers: trigger.NewRegistry(logtrigger.Kind)})
	ref := Ref{Kind: v1alpha1.KindEventSource, Namespace: "default", Name: "hooks"}
	first, second := hookPort(t), hookPort(t)

	es := hookSource("hooks", first)
	require.True(t, rt.ApplyEventSource(es), "started")
	require.Eventually(t, func() bool { return answers(first) }, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, 1, ch.get(ref))

	es.Labels = map[string]string{"changed": "metadata only"}
	require.False(t, rt.ApplyEventSource(es), "the same spec keeps running")

	require.True(t, rt.ApplyEventSource(hookSource("hooks", second)), "a new spec restarts")
	require.Eventually(t, func() bool { return answers(second) }, 10*time.Second, 20*time.Millisecond)
	require.False(t, answers(first), "the old spec's port is closed once it has stopped")
	st, ok := rt.State(ref)
	require.True(t, ok)
	require.True(t, st.Running)
	require.Equal(t, []Ref{ref}, rt.Refs())

	require.True(t, rt.Remove(ref))
	require.False(t, answers(second), "removed means stopped")
	_, ok = rt.State(ref)
	require.False(t, ok)
	require.False(t, rt.Remove(ref), "already gone")
}

func TestRuntimeReportsFailures(t *testing.T) {
	// No event source kind and no trigger kind: both objects fail.
	rt, ch := startRuntime(t, Config{Sources: eventsource.NewRegistry(), Triggers: trigger.NewRegistry()})
	esRef := Ref{Kind: v1alpha1.KindEventSource, Namespace: "default", Name: "hooks"}
	snRef := Ref{Kind: v1alpha1.KindSensor, Namespace: "default", Name: "printer"}

	rt.ApplyEventSource(hookSource("hooks", hookPort(t)))
	started, err := rt.ApplySensor(printer("hooks"))
	require.NoError(t, err)
	require.True(t, started)
	for _, ref := range []Ref{esRef, snRef} {
		require.Eventually(t, func() bool {
			st, ok := rt.State(ref)
			return ok && !st.Running && st.Err != nil
		}, 10*time.Second, 20*time.Millisecond, "%s", ref)
		require.GreaterOrEqual(t, ch.get(ref), 2, "%s: told when started and when failed", ref)
	}
	st, _ := rt.State(esRef)
	require.ErrorContains(t, st.Err, "not supported")
	rt.SetReady(true)
	require.EqualError(t, rt.Ready(), "sensor default/printer: subscribing",
		"an EventSource that stopped for good is not waited for; a Sensor that is restarted is")
	select {
	case err := <-rt.Err():
		t.Fatalf("a failed EventSource ended the runtime: %v", err)
	default:
	}
}

func TestRuntimeStopOnSourceError(t *testing.T) {
	rt, _ := startRuntime(t, Config{Sources: eventsource.NewRegistry(), Triggers: trigger.NewRegistry(), StopOnSourceError: true})
	rt.ApplyEventSource(hookSource("hooks", hookPort(t)))
	select {
	case err := <-rt.Err():
		require.ErrorContains(t, err, "running EventSource default/hooks")
	case <-time.After(10 * time.Second):
		t.Fatal("the failed EventSource did not end the runtime")
	}
}
