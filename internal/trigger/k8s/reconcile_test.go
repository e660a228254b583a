package k8s

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

// memStore is a trigger.Store in memory.
type memStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newMemStore() *memStore { return &memStore{m: map[string][]byte{}} }

func (s *memStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[key], nil
}

func (s *memStore) Put(_ context.Context, key string, val []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = val
	return nil
}

func (s *memStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func (s *memStore) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return keysOf(s.m)
}

func keysOf(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range maps.Keys(m) {
		out = append(out, k)
	}
	return out
}

// outcomes counts trigger.BackgroundMetrics outcomes.
type outcomes struct {
	mu sync.Mutex
	n  map[string]int
}

func (o *outcomes) Reconciled(_, outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == nil {
		o.n = map[string]int{}
	}
	o.n[outcome]++
}

func (o *outcomes) get(outcome string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n[outcome]
}

// sensorRun is one run of a Sensor for reconcile tests: a kind of its own
// (so, a reconciler of its own, as a new process has) and a Background that
// ends with stop.
type sensorRun struct {
	kind    trigger.Kind
	env     trigger.Env
	metrics *outcomes
	stop    context.CancelFunc
}

func startRun(t *testing.T, store trigger.Store) *sensorRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	m := &outcomes{}
	env := testEnv()
	env.Background = &trigger.Background{Done: ctx.Done(), Store: store, Metrics: m}
	return &sensorRun{kind: NewKind(Options{Factory: factory}), env: env, metrics: m, stop: cancel}
}

func (r *sensorRun) build(t *testing.T, sensor *v1alpha1.Sensor, spec *v1alpha1.StandardK8STrigger) trigger.Trigger {
	t.Helper()
	tr, err := r.kind.New(r.env, sensor, k8sTriggerOf(spec))
	require.NoError(t, err)
	return tr
}

// watches returns how many informers the run's reconciler has.
func (r *sensorRun) watches(t *testing.T, tr trigger.Trigger) int {
	t.Helper()
	rc := tr.(*k8sTrigger).reconciler
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.watches)
}

const keptYAML = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: kept
  labels: {app: demo}
data:
  a: one
`

// dataOf returns the kept ConfigMap's data, or nil when it is absent.
func dataOf(t *testing.T, ns string) map[string]any {
	t.Helper()
	obj, err := admin.Resource(cmGVR).Namespace(ns).Get(context.Background(), "kept", metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	require.NoError(t, err)
	return obj.Object["data"].(map[string]any)
}

func TestReconcile(t *testing.T) {
	want := map[string]any{"a": "one"}
	tests := []struct {
		name string
		op   v1alpha1.KubernetesResourceOperation
		// owned sets the owner option (the owner is ConfigMap "owner").
		owned bool
		// act changes the cluster after the trigger wrote the object.
		act func(t *testing.T, ns string, tr trigger.Trigger, run *sensorRun)
		// until holds once reconcile did what it should.
		until func(t *testing.T, ns string, run *sensorRun) bool
	}{
		{
			name: "restores an edited object",
			act: func(t *testing.T, ns string, _ trigger.Trigger, _ *sensorRun) {
				obj := getObj(t, cmGVR, ns, "kept")
				obj.Object["data"] = map[string]any{"a": "hacked", "extra": "added"}
				obj.SetLabels(map[string]string{"theirs": "stays"})
				_, err := admin.Resource(cmGVR).Namespace(ns).Update(context.Background(), obj, metav1.UpdateOptions{})
				require.NoError(t, err)
			},
			until: func(t *testing.T, ns string, run *sensorRun) bool {
				obj := getObj(t, cmGVR, ns, "kept")
				return equalJSON(obj.Object["data"], want) && obj.GetLabels()["app"] == "demo" &&
					obj.GetLabels()["theirs"] == "stays" && run.metrics.get("restored") == 1
			},
		},
		{
			name: "restores an edited object written by update",
			op:   v1alpha1.K8sOperationUpdate,
			act: func(t *testing.T, ns string, _ trigger.Trigger, _ *sensorRun) {
				patch := `{"data":{"a":"hacked"}}`
				_, err := kube.CoreV1().ConfigMaps(ns).Patch(context.Background(), "kept", "application/merge-patch+json", []byte(patch), metav1.PatchOptions{})
				require.NoError(t, err)
			},
			until: func(t *testing.T, ns string, run *sensorRun) bool {
				return equalJSON(dataOf(t, ns), want) && run.metrics.get("restored") == 1
			},
		},
		{
			name: "restores a deleted object",
			act: func(t *testing.T, ns string, _ trigger.Trigger, _ *sensorRun) {
				require.NoError(t, kube.CoreV1().ConfigMaps(ns).Delete(context.Background(), "kept", metav1.DeleteOptions{}))
			},
			until: func(t *testing.T, ns string, run *sensorRun) bool {
				return equalJSON(dataOf(t, ns), want) && run.metrics.get("recreated") == 1
			},
		},
		{
			name:  "restores a deleted object whose owner exists",
			owned: true,
			act: func(t *testing.T, ns string, _ trigger.Trigger, _ *sensorRun) {
				require.NoError(t, kube.CoreV1().ConfigMaps(ns).Delete(context.Background(), "kept", metav1.DeleteOptions{}))
			},
			until: func(t *testing.T, ns string, run *sensorRun) bool {
				obj, err := admin.Resource(cmGVR).Namespace(ns).Get(context.Background(), "kept", metav1.GetOptions{})
				return err == nil && len(obj.GetOwnerReferences()) == 1 && run.metrics.get("recreated") == 1
			},
		},
		{
			name:  "does not restore after its owner is deleted",
			owned: true,
			act: func(t *testing.T, ns string, _ trigger.Trigger, _ *sensorRun) {
				// The garbage collector then deletes the owned object.
				require.NoError(t, kube.CoreV1().ConfigMaps(ns).Delete(context.Background(), "owner", metav1.DeleteOptions{}))
			},
			until: func(t *testing.T, ns string, run *sensorRun) bool {
				return run.metrics.get("released") == 1 && dataOf(t, ns) == nil && run.metrics.get("recreated") == 0
			},
		},
		{
			name: "does not restore after a delete operation",
			act: func(t *testing.T, ns string, _ trigger.Trigger, run *sensorRun) {
				sensor := sensorIn(ns, "")
				del := run.build(t, sensor, &v1alpha1.StandardK8STrigger{Operation: v1alpha1.K8sOperationDelete, Source: resource(t, keptYAML), Reconcile: true})
				res, err := fire(t, del, sensor, "ev-del", `{}`)
				require.NoError(t, err)
				require.Equal(t, "v1 ConfigMap "+ns+"/kept deleted", res.Ref)
			},
			until: func(t *testing.T, ns string, run *sensorRun) bool {
				return run.metrics.get("released") == 1 && dataOf(t, ns) == nil && run.metrics.get("recreated") == 0
			},
		},
		{
			name: "stops when the Sensor stops",
			act: func(t *testing.T, ns string, tr trigger.Trigger, run *sensorRun) {
				run.stop()
				require.Eventually(t, func() bool { return run.watches(t, tr) == 0 }, 10*time.Second, 10*time.Millisecond)
				require.NoError(t, kube.CoreV1().ConfigMaps(ns).Delete(context.Background(), "kept", metav1.DeleteOptions{}))
			},
			until: func(t *testing.T, ns string, run *sensorRun) bool {
				return dataOf(t, ns) == nil && run.metrics.get("recreated") == 0
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := newNamespace(t)
			sensor := sensorIn(ns, "")
			run := startRun(t, newMemStore())
			spec := &v1alpha1.StandardK8STrigger{Operation: tt.op, Source: resource(t, keptYAML), Reconcile: true}
			data := `{}`
			if tt.owned {
				spec.Owner = &v1alpha1.K8SOwner{DependencyName: "dep"}
				_, d := ownerConfigMap(t, ns, "owner")
				raw, err := json.Marshal(d)
				require.NoError(t, err)
				data = string(raw)
			}
			tr := run.build(t, sensor, spec)
			_, err := fire(t, tr, sensor, "ev-1", data)
			require.NoError(t, err)
			require.Equal(t, want, dataOf(t, ns))

			tt.act(t, ns, tr, run)
			require.Eventually(t, func() bool { return tt.until(t, ns, run) }, 10*time.Second, 20*time.Millisecond)
			require.Zero(t, run.metrics.get("failed"))
		})
	}
}

func TestReconcileKeepsTheLatestFiring(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	run := startRun(t, newMemStore())
	tr := run.build(t, sensor, &v1alpha1.StandardK8STrigger{
		Operation: v1alpha1.K8sOperationUpdate, Source: resource(t, keptYAML), Reconcile: true,
		Parameters: []v1alpha1.TriggerParameter{{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "a"}, Dest: "data.a"}},
	})
	for i, v := range []string{"one", "two", "three"} {
		_, err := fire(t, tr, sensor, "ev-"+v, `{"a":"`+v+`"}`)
		require.NoError(t, err, "firing %d", i)
	}
	require.Equal(t, map[string]any{"a": "three"}, dataOf(t, ns))
	require.NoError(t, kube.CoreV1().ConfigMaps(ns).Delete(context.Background(), "kept", metav1.DeleteOptions{}))
	require.Eventually(t, func() bool { return equalJSON(dataOf(t, ns), map[string]any{"a": "three"}) }, 10*time.Second, 20*time.Millisecond)
	require.Zero(t, run.metrics.get("restored"), "the trigger's own writes are not drift")
}

func TestReconcileResumesAfterARestart(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	store := newMemStore()
	spec := &v1alpha1.StandardK8STrigger{Source: resource(t, keptYAML), Reconcile: true}
	first := startRun(t, store)
	tr := first.build(t, sensor, spec)
	_, err := fire(t, tr, sensor, "ev-1", `{}`)
	require.NoError(t, err)
	require.Len(t, store.keys(), 2, "an index and a record")

	// Herald stops; meanwhile the object is deleted.
	first.stop()
	require.Eventually(t, func() bool { return first.watches(t, tr) == 0 }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, kube.CoreV1().ConfigMaps(ns).Delete(context.Background(), "kept", metav1.DeleteOptions{}))

	// A new process builds the trigger: no event comes, the object is back.
	second := startRun(t, store)
	second.build(t, sensor, spec)
	// The repair counts itself after storing what it wrote: wait for both.
	require.Eventually(t, func() bool {
		return equalJSON(dataOf(t, ns), map[string]any{"a": "one"}) && second.metrics.get("recreated") == 1
	}, 10*time.Second, 20*time.Millisecond)
}

func TestReconcileWithoutBackground(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	env := trigger.Env{Logger: slog.New(slog.DiscardHandler), Kube: cp.Config, Clients: factory.Dynamic, HTTP: http.DefaultClient}
	tr, err := NewKind(Options{Factory: factory}).New(env, sensor, k8sTriggerOf(&v1alpha1.StandardK8STrigger{Source: resource(t, keptYAML), Reconcile: true}))
	require.NoError(t, err)
	_, err = fire(t, tr, sensor, "ev-1", `{}`)
	require.NoError(t, err)
	require.NoError(t, kube.CoreV1().ConfigMaps(ns).Delete(context.Background(), "kept", metav1.DeleteOptions{}))
	require.Eventually(t, func() bool { return dataOf(t, ns) != nil }, 10*time.Second, 20*time.Millisecond, "kept in memory")
	// Release the watch so the test leaves nothing running.
	_, err = tr.Execute(context.Background(), &trigger.Request{Sensor: sensor, Trigger: k8sTriggerOf(&v1alpha1.StandardK8STrigger{
		Operation: v1alpha1.K8sOperationDelete, Source: resource(t, keptYAML),
	})})
	require.NoError(t, err)
}
