package controller_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/controller"
	"github.com/herald-dev/herald/internal/eventsource"
	_ "github.com/herald-dev/herald/internal/eventsource/webhook"
	"github.com/herald-dev/herald/internal/testenv"
	"github.com/herald-dev/herald/internal/trigger"
	logtrigger "github.com/herald-dev/herald/internal/trigger/log"
)

// within is how long a change may take to show: the controller should
// need well under a second; the slack is for a loaded machine.
const within = 10 * time.Second

// TestController runs the controller on a real API server and a real
// embedded JetStream: a webhook EventSource and a Sensor with a log trigger
// run, fire, restart only when changed, stop when deleted; an invalid
// Sensor is reported, not run.
// cp is the control plane every test of the package shares; each test
// uses its own namespaces.
var cp *testenv.ControlPlane

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	var err error
	cp, err = testenv.StartControlPlane()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the control plane:", err)
		return 1
	}
	defer func() { _ = cp.Stop() }()
	return m.Run()
}

// newClient returns a typed client of the shared control plane.
func newClient(t testing.TB) client.Client {
	t.Helper()
	scheme := runtime.NewScheme()
	require.NoError(t, v1alpha1.AddToScheme(scheme))
	require.NoError(t, corev1.AddToScheme(scheme))
	require.NoError(t, eventsv1.AddToScheme(scheme))
	c, err := client.New(cp.Config, client.Options{Scheme: scheme})
	require.NoError(t, err)
	return c
}

// startController runs the controller until the test ends.
func startController(t testing.TB, cfg controller.Config) *records {
	t.Helper()
	logs := newRecords()
	cfg.Engine.Sources, cfg.Engine.Triggers = eventsource.Default, trigger.Default
	cfg.Engine.DataDir, cfg.Engine.Kube, cfg.Engine.WebhookHost = t.TempDir(), cp.Config, "127.0.0.1"
	cfg.Engine.Logger, cfg.Engine.NoTraces = slog.New(logs), true
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- controller.Run(ctx, cfg) }()
	t.Cleanup(func() {
		stop()
		require.NoError(t, <-done)
	})
	return logs
}

// update changes the object name in namespace with change, read afresh
// each time the controller's status writes won the race.
func update[T client.Object](t testing.TB, c client.Client, namespace, name string, obj T, change func(T)) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := c.Get(t.Context(), types.NamespacedName{Namespace: namespace, Name: name}, obj); err != nil {
			return err
		}
		change(obj)
		return c.Update(t.Context(), obj)
	})
	require.NoError(t, err)
}

// requireEvent waits for a Kubernetes Event of type and reason about the
// object name in namespace.
func requireEvent(t *testing.T, c client.Client, namespace, name, typ, reason string) {
	t.Helper()
	require.EventuallyWithT(t, func(c2 *assert.CollectT) {
		var list eventsv1.EventList
		require.NoError(c2, c.List(t.Context(), &list, client.InNamespace(namespace)))
		var seen []string
		for _, e := range list.Items {
			if e.Regarding.Name == name {
				seen = append(seen, e.Type+" "+e.Reason)
			}
		}
		require.Contains(c2, seen, typ+" "+reason)
	}, within, 50*time.Millisecond)
}

func createNamespaces(t testing.TB, c client.Client, names ...string) {
	t.Helper()
	for _, name := range names {
		require.NoError(t, c.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}))
	}
}

// TestController runs the controller on a real API server and a real
// embedded JetStream: a webhook EventSource and a Sensor with a log trigger
// run, fire, restart only when changed, stop when deleted; an invalid
// Sensor is reported, not run, and runs once fixed; objects outside the
// watched namespaces are left alone.
func TestController(t *testing.T) {
	c := newClient(t)
	ctx := t.Context()
	createNamespaces(t, c, "team-a", "team-b")
	logs := startController(t, controller.Config{Namespaces: []string{"team-a"}, CountsInterval: 50 * time.Millisecond})

	port := freePort(t)
	es := webhookEventSource("team-a", "hooks", port)
	require.NoError(t, c.Create(ctx, es))
	sn := logSensor("team-a", "printer", "hooks", "first")
	require.NoError(t, c.Create(ctx, sn))

	t.Run("runs and fires", func(t *testing.T) {
		waitConditions(t, c, &v1alpha1.EventSource{}, "team-a", "hooks", map[v1alpha1.ConditionType]corev1.ConditionStatus{
			v1alpha1.EventSourceConditionSourcesProvided: corev1.ConditionTrue,
			v1alpha1.EventSourceConditionDeployed:        corev1.ConditionTrue,
			controller.ConditionRunning:                  corev1.ConditionTrue,
		})
		waitConditions(t, c, &v1alpha1.Sensor{}, "team-a", "printer", map[v1alpha1.ConditionType]corev1.ConditionStatus{
			v1alpha1.SensorConditionDepencencyProvided: corev1.ConditionTrue,
			v1alpha1.SensorConditionTriggersProvided:   corev1.ConditionTrue,
			v1alpha1.SensorConditionDeployed:           corev1.ConditionTrue,
			controller.ConditionRunning:                corev1.ConditionTrue,
		})
		postUntilFired(t, logs, port, "first")
	})

	t.Run("status counts what ran; Events say it started", func(t *testing.T) {
		require.EventuallyWithT(t, func(c2 *assert.CollectT) {
			var got v1alpha1.Sensor
			require.NoError(c2, c.Get(ctx, types.NamespacedName{Namespace: "team-a", Name: "printer"}, &got))
			require.NotNil(c2, got.Status.Counts)
			require.Positive(c2, got.Status.Counts.EventsReceived)
			require.Positive(c2, got.Status.Counts.TriggersSucceeded)
			var src v1alpha1.EventSource
			require.NoError(c2, c.Get(ctx, types.NamespacedName{Namespace: "team-a", Name: "hooks"}, &src))
			require.NotNil(c2, src.Status.Counts)
			require.Positive(c2, src.Status.Counts.EventsPublished)
		}, within, 20*time.Millisecond)
		requireEvent(t, c, "team-a", "printer", "Normal", controller.ReasonRunning)
	})

	t.Run("a changed Sensor restarts, its EventSource does not", func(t *testing.T) {
		update(t, c, "team-a", "printer", &v1alpha1.Sensor{}, func(cur *v1alpha1.Sensor) {
			cur.Spec.Triggers[0].Template.Name = "second"
		})
		require.Eventually(t, func() bool {
			return logs.count("restarted", "sensor", "printer") == 1
		}, within, 20*time.Millisecond)
		postUntilFired(t, logs, port, "second")
		assert.Equal(t, 1, logs.count("started", "eventsource", "hooks"))
		assert.Equal(t, 0, logs.count("restarted", "eventsource", "hooks"))
	})

	t.Run("an unchanged spec is not restarted", func(t *testing.T) {
		update(t, c, "team-a", "hooks", &v1alpha1.EventSource{}, func(cur *v1alpha1.EventSource) {
			cur.Labels = map[string]string{"touched": "yes"}
		})
		// The Sensor's restart above proves reconciles are quick; this
		// change must leave the source as it was.
		postUntilFired(t, logs, port, "second")
		assert.Equal(t, 0, logs.count("restarted", "eventsource", "hooks"))
	})

	t.Run("an invalid Sensor is reported and not run", func(t *testing.T) {
		bad := logSensor("team-a", "broken", "hooks", "x")
		bad.Spec.Triggers[0].Template.Conditions = "nosuchdep"
		require.NoError(t, c.Create(ctx, bad))
		got := waitConditions(t, c, &v1alpha1.Sensor{}, "team-a", "broken", map[v1alpha1.ConditionType]corev1.ConditionStatus{
			v1alpha1.SensorConditionDepencencyProvided: corev1.ConditionTrue,
			v1alpha1.SensorConditionTriggersProvided:   corev1.ConditionFalse,
			v1alpha1.SensorConditionDeployed:           corev1.ConditionFalse,
			controller.ConditionRunning:                corev1.ConditionFalse,
		})
		cond := got.GetCondition(controller.ConditionRunning)
		assert.Equal(t, controller.ReasonInvalid, cond.Reason)
		assert.Contains(t, cond.Message, "spec.triggers[0].template.conditions: ")
		assert.Contains(t, cond.Message, "nosuchdep")
		assert.Equal(t, 0, logs.count("started", "sensor", "broken"))
		requireEvent(t, c, "team-a", "broken", "Warning", controller.ReasonInvalid)
	})

	t.Run("a fixed Sensor runs", func(t *testing.T) {
		update(t, c, "team-a", "broken", &v1alpha1.Sensor{}, func(cur *v1alpha1.Sensor) {
			cur.Spec.Triggers[0].Template.Conditions = ""
		})
		waitConditions(t, c, &v1alpha1.Sensor{}, "team-a", "broken", map[v1alpha1.ConditionType]corev1.ConditionStatus{
			v1alpha1.SensorConditionTriggersProvided: corev1.ConditionTrue,
			v1alpha1.SensorConditionDeployed:         corev1.ConditionTrue,
			controller.ConditionRunning:              corev1.ConditionTrue,
		})
		postUntilFired(t, logs, port, "x")
	})

	t.Run("a deleted Sensor stops", func(t *testing.T) {
		require.NoError(t, c.Delete(ctx, &v1alpha1.Sensor{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "broken"}}))
		require.Eventually(t, func() bool {
			return logs.count("stopped", "sensor", "broken") == 1
		}, within, 20*time.Millisecond)
		assert.Equal(t, 0, logs.count("stopped", "sensor", "printer"))
	})

	t.Run("other namespaces are not watched", func(t *testing.T) {
		other := logSensor("team-b", "elsewhere", "hooks", "y")
		require.NoError(t, c.Create(ctx, other))
		// A change in team-a made after it is reconciled first: once its
		// status shows, team-b's Sensor had its chance.
		marker := logSensor("team-a", "marker", "hooks", "m")
		require.NoError(t, c.Create(ctx, marker))
		waitConditions(t, c, &v1alpha1.Sensor{}, "team-a", "marker", map[v1alpha1.ConditionType]corev1.ConditionStatus{
			controller.ConditionRunning: corev1.ConditionTrue,
		})
		require.NoError(t, c.Get(ctx, types.NamespacedName{Namespace: "team-b", Name: "elsewhere"}, other))
		assert.Empty(t, other.Status.Conditions)
		assert.Equal(t, 0, logs.count("started", "namespace", "team-b"))
	})

	t.Run("a deleted EventSource stops", func(t *testing.T) {
		require.NoError(t, c.Delete(ctx, es))
		require.Eventually(t, func() bool {
			return logs.count("stopped", "eventsource", "hooks") == 1
		}, within, 20*time.Millisecond)
		require.Eventually(t, func() bool {
			_, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/hook", port), "application/json", strings.NewReader(`{}`))
			return err != nil // the port is closed
		}, within, 20*time.Millisecond)
	})
}

func webhookEventSource(ns, name string, port int) *v1alpha1.EventSource {
	return &v1alpha1.EventSource{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.EventSourceSpec{Webhook: map[string]v1alpha1.WebhookEventSource{
			"push": {WebhookContext: v1alpha1.WebhookContext{Endpoint: "/hook", Port: fmt.Sprint(port), Method: http.MethodPost}},
		}},
	}
}

func logSensor(ns, name, source, triggerName string) *v1alpha1.Sensor {
	return &v1alpha1.Sensor{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.SensorSpec{
			Dependencies: []v1alpha1.EventDependency{{Name: "dep", EventSourceName: source, EventName: "push"}},
			Triggers: []v1alpha1.Trigger{{Template: &v1alpha1.TriggerTemplate{
				Name: triggerName,
				Log:  &v1alpha1.LogTrigger{},
			}}},
		},
	}
}

// waitConditions waits until obj's conditions have the wanted statuses and
// returns its status.
func waitConditions(t *testing.T, c client.Client, obj client.Object, ns, name string, want map[v1alpha1.ConditionType]corev1.ConditionStatus) *v1alpha1.Status {
	t.Helper()
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		require.NoError(ct, c.Get(t.Context(), types.NamespacedName{Namespace: ns, Name: name}, obj))
		for typ, st := range want {
			cond := statusOf(obj).GetCondition(typ)
			require.NotNil(ct, cond, "%s", typ)
			require.Equal(ct, st, cond.Status, "%s: %s %s", typ, cond.Reason, cond.Message)
		}
	}, within, 20*time.Millisecond)
	return statusOf(obj)
}

func statusOf(obj client.Object) *v1alpha1.Status {
	switch o := obj.(type) {
	case *v1alpha1.EventSource:
		return &o.Status.Status
	case *v1alpha1.Sensor:
		return &o.Status.Status
	case *v1alpha1.EventBus:
		return &o.Status.Status
	}
	panic(fmt.Sprintf("no status in %T", obj))
}

// postUntilFired posts events until the log trigger named triggerName fires.
func postUntilFired(t *testing.T, logs *records, port int, triggerName string) {
	t.Helper()
	require.Eventually(t, func() bool {
		resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/hook", port), "application/json", strings.NewReader(`{"n":1}`))
		if err == nil {
			_ = resp.Body.Close()
		}
		return logs.count(logtrigger.Message, "trigger", triggerName) > 0
	}, within, 100*time.Millisecond)
}

func freePort(t *testing.T) int {
	t.Helper()
	port, err := testenv.FreePort()
	require.NoError(t, err)
	return port
}

// records is a slog.Handler that keeps every record's message and
// attributes (those added with With included).
type records struct {
	mu    *sync.Mutex
	lines *[]map[string]string
	attrs []slog.Attr
	added chan struct{} // a record was kept
}

func newRecords() *records {
	return &records{mu: &sync.Mutex{}, lines: &[]map[string]string{}, added: make(chan struct{}, 1)}
}

// waitFor waits until count(msg, kv...) reaches n, or timeout passes.
func (r *records) waitFor(timeout time.Duration, n int, msg string, kv ...string) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for r.count(msg, kv...) < n {
		select {
		case <-r.added:
		case <-deadline.C:
			return false
		}
	}
	return true
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }

func (r *records) Handle(_ context.Context, rec slog.Record) error {
	m := map[string]string{"msg": rec.Message}
	for _, a := range r.attrs {
		m[a.Key] = a.Value.String()
	}
	rec.Attrs(func(a slog.Attr) bool {
		m[a.Key] = a.Value.String()
		return true
	})
	if os.Getenv("HERALD_TEST_LOGS") != "" {
		fmt.Fprintln(os.Stderr, m)
	}
	r.mu.Lock()
	*r.lines = append(*r.lines, m)
	r.mu.Unlock()
	select {
	case r.added <- struct{}{}:
	default:
	}
	return nil
}

func (r *records) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &records{mu: r.mu, lines: r.lines, attrs: append(append([]slog.Attr{}, r.attrs...), attrs...), added: r.added}
}

func (r *records) WithGroup(string) slog.Handler { return r }

// count counts the records with message msg and the given key, value pairs.
func (r *records) count(msg string, kv ...string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
next:
	for _, m := range *r.lines {
		if m["msg"] != msg {
			continue
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if m[kv[i]] != kv[i+1] {
				continue next
			}
		}
		n++
	}
	return n
}
