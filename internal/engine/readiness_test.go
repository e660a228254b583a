package engine

import (
	"fmt"
	"io"
	"net"
	"net/http"
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

func printer(source string) *v1alpha1.Sensor {
	return &v1alpha1.Sensor{
		ObjectMeta: metav1.ObjectMeta{Name: "printer"},
		Spec: v1alpha1.SensorSpec{
			Dependencies: []v1alpha1.EventDependency{{Name: "d", EventSourceName: source, EventName: "push"}},
			Triggers:     []v1alpha1.Trigger{{Template: &v1alpha1.TriggerTemplate{Name: "t", Log: &v1alpha1.LogTrigger{}}}},
		},
	}
}

// readyz returns the status and body of /readyz at addr (0 when it does
// not answer).
func readyz(addr string) (int, string) {
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, ""
	}
	return resp.StatusCode, string(body)
}

// TestReadyOnceTheWebhookAnswers: /readyz says ok only once the webhook's
// port is bound and its Sensor subscribed; until then it names what is
// still starting. Config.OnReady is called once, when the webhook answers.
func TestReadyOnceTheWebhookAnswers(t *testing.T) {
	// Another process holds the webhook's port: the source cannot bind it
	// and is restarted until the port is free.
	held, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := held.Addr().(*net.TCPAddr).Port
	metrics := fmt.Sprintf("127.0.0.1:%d", hookPort(t))
	answeredWhenReady := make(chan bool, 2)
	rt, _ := startRuntime(t, Config{
		Sources: eventsource.NewRegistry(webhook.Kind), Triggers: trigger.NewRegistry(logtrigger.Kind),
		MetricsAddr: metrics,
		OnReady:     func() { answeredWhenReady <- answers(port) },
	})
	require.EqualError(t, rt.Ready(), "starting", "not ready before SetReady")

	rt.ApplyEventSource(hookSource("hooks", port))
	_, err = rt.ApplySensor(printer("hooks"))
	require.NoError(t, err)
	rt.SetReady(true)
	require.Eventually(t, func() bool {
		err := rt.Ready()
		return err != nil && err.Error() == "eventsource default/hooks: push starting"
	}, 10*time.Second, 5*time.Millisecond, "the Sensor subscribes; the webhook waits for its port")
	require.Eventually(t, func() bool {
		code, body := readyz(metrics)
		return code == http.StatusServiceUnavailable && body == "not ready\nengine: eventsource default/hooks: push starting\n"
	}, 10*time.Second, 5*time.Millisecond)
	require.Empty(t, answeredWhenReady, "OnReady waits")

	require.NoError(t, held.Close())
	require.Eventually(t, func() bool { return rt.Ready() == nil }, 10*time.Second, 5*time.Millisecond)
	require.True(t, answers(port), "ready means the webhook answers")
	code, body := readyz(metrics)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ok\n", body)
	select {
	case answered := <-answeredWhenReady:
		require.True(t, answered, "OnReady was called once the webhook answered")
	case <-time.After(10 * time.Second):
		require.FailNow(t, "OnReady was not called")
	}

	// Once ready, the runtime stays ready: an EventSource applied later
	// that cannot start shows in its state, not in the process's readiness.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	rt.ApplyEventSource(hookSource("more", busy.Addr().(*net.TCPAddr).Port))
	require.NoError(t, rt.Ready())
	require.True(t, rt.Remove(Ref{Kind: v1alpha1.KindEventSource, Namespace: "default", Name: "more"}))
	require.NoError(t, rt.Ready())
	rt.SetReady(false)
	require.EqualError(t, rt.Ready(), "starting", "SetReady(false) still ends it (shutdown)")
	require.Empty(t, answeredWhenReady, "OnReady is called once")
}

// TestReadyWithoutUnits: the controller's runtime is ready once SetReady,
// even with an EventSource that cannot bind its port.
func TestReadyWithoutUnits(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer held.Close()
	rt, _ := startRuntime(t, Config{
		Sources: eventsource.NewRegistry(webhook.Kind), Triggers: trigger.NewRegistry(logtrigger.Kind),
		ReadyWithoutUnits: true,
	})
	rt.ApplyEventSource(hookSource("hooks", held.Addr().(*net.TCPAddr).Port))
	require.EqualError(t, rt.Ready(), "starting")
	rt.SetReady(true)
	require.NoError(t, rt.Ready())
}

// TestReadinessWaitsForOneUnitAtMostTheStartGrace: a webhook whose port
// another process keeps holds the first readiness only for the start
// grace; then the runtime is ready and the source stays in its State.
func TestReadinessWaitsForOneUnitAtMostTheStartGrace(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer held.Close()
	port := held.Addr().(*net.TCPAddr).Port
	rt, _ := startRuntime(t, Config{
		Sources: eventsource.NewRegistry(webhook.Kind), Triggers: trigger.NewRegistry(logtrigger.Kind),
		StartGrace: 500 * time.Millisecond,
	})
	rt.ApplyEventSource(hookSource("hooks", port))
	rt.SetReady(true)
	require.Error(t, rt.Ready(), "not ready at once")
	require.Eventually(t, func() bool { return rt.Ready() == nil }, 10*time.Second, 10*time.Millisecond,
		"the source still cannot bind its port")
}
