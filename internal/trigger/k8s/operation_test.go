package k8s

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

// nameParam sets metadata.name from the event's "name" field.
var nameParam = v1alpha1.TriggerParameter{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "name"}, Dest: "metadata.name"}

func TestCreateIsIdempotentPerEvent(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	tr := build(t, sensor, &v1alpha1.StandardK8STrigger{Source: resource(t, configMapYAML("once"))})

	res, err := fire(t, tr, sensor, "ev-1", `{}`)
	require.NoError(t, err)
	require.Equal(t, "v1 ConfigMap "+ns+"/once created", res.Ref)
	uid := getObj(t, cmGVR, ns, "once").GetUID()

	res, err = fire(t, tr, sensor, "ev-1", `{}`)
	require.NoError(t, err, "a redelivery of the same event is success")
	require.Equal(t, "v1 ConfigMap "+ns+"/once already created by this event", res.Ref)
	require.Equal(t, uid, getObj(t, cmGVR, ns, "once").GetUID())

	_, err = fire(t, tr, sensor, "ev-2", `{}`)
	require.True(t, apierrors.IsAlreadyExists(err), "another event creating the same object fails as in Argo: %v", err)
	require.True(t, trigger.IsTerminal(err))
	require.ErrorContains(t, err, "creating v1 ConfigMap "+ns+"/once: ")

	list, err := kube.CoreV1().ConfigMaps(ns).List(context.Background(), metav1.ListOptions{LabelSelector: LabelSensor + "=sn"})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
}

func TestUpdate(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	manifest := `
apiVersion: v1
kind: ConfigMap
metadata:
  name: upd
  labels: {mine: "yes"}
data:
  a: new
  list: "[1]"
`
	tr := build(t, sensor, &v1alpha1.StandardK8STrigger{Operation: v1alpha1.K8sOperationUpdate, Source: resource(t, manifest)})

	res, err := fire(t, tr, sensor, "ev-1", `{}`)
	require.NoError(t, err)
	require.Equal(t, "v1 ConfigMap "+ns+"/upd created", res.Ref)
	obj := getObj(t, cmGVR, ns, "upd")
	require.NotContains(t, obj.GetLabels(), LabelSensor, "update creates without Argo's labels, as Argo")
	require.Equal(t, "ev-1", obj.GetAnnotations()[AnnotationEventID])

	// Someone else adds a label and a key: the merge keeps them.
	obj.SetLabels(map[string]string{"mine": "yes", "theirs": "too"})
	obj.Object["data"].(map[string]any)["b"] = "kept"
	obj.Object["data"].(map[string]any)["a"] = "old"
	_, err = admin.Resource(cmGVR).Namespace(ns).Update(context.Background(), obj, metav1.UpdateOptions{})
	require.NoError(t, err)

	res, err = fire(t, tr, sensor, "ev-2", `{}`)
	require.NoError(t, err)
	require.Equal(t, "v1 ConfigMap "+ns+"/upd updated", res.Ref)
	obj = getObj(t, cmGVR, ns, "upd")
	require.Equal(t, map[string]any{"a": "new", "b": "kept", "list": "[1]"}, obj.Object["data"])
	require.Equal(t, map[string]string{"mine": "yes", "theirs": "too"}, obj.GetLabels())
	require.Equal(t, "ev-2", obj.GetAnnotations()[AnnotationEventID])
}

func TestUpdateLiveObject(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	_, err := admin.Resource(cmGVR).Namespace(ns).Create(context.Background(), mustObj(t, configMapYAML("live")), metav1.CreateOptions{})
	require.NoError(t, err)
	// The source only names the object; the parameter rewrites the live one.
	source := resource(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: live\n  namespace: "+ns+"\n")
	value := v1alpha1.TriggerParameter{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "v"}, Dest: "data.a"}
	tr := build(t, sensor, &v1alpha1.StandardK8STrigger{
		Operation: v1alpha1.K8sOperationUpdate, LiveObject: true, Source: source,
		Parameters: []v1alpha1.TriggerParameter{value},
	})
	_, err = fire(t, tr, sensor, "ev", `{"v":"from-event"}`)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"a": "from-event", "b": "two"}, getObj(t, cmGVR, ns, "live").Object["data"])

	noNS := build(t, sensor, &v1alpha1.StandardK8STrigger{
		Operation: v1alpha1.K8sOperationUpdate, LiveObject: true, Source: resource(t, configMapYAML("live")),
	})
	_, err = fire(t, noNS, sensor, "ev", `{}`)
	require.ErrorContains(t, err, "liveObject: the source object must have a namespace")
	require.True(t, trigger.IsTerminal(err))
}

func TestPatch(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	patch := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\ndata:\n  b: patched\n  c: added\n"
	tests := []struct {
		strategy k8stypes.PatchType
		terminal bool
	}{
		{strategy: ""},
		{strategy: k8stypes.MergePatchType},
		{strategy: k8stypes.StrategicMergePatchType},
		{strategy: k8stypes.ApplyPatchType},
		// Argo sends the object as the body of every strategy: a JSON patch
		// must be a list, so the API server rejects it.
		{strategy: k8stypes.JSONPatchType, terminal: true},
	}
	for i, tc := range tests {
		t.Run(string(tc.strategy), func(t *testing.T) {
			name := fmt.Sprintf("p-%d", i)
			_, err := admin.Resource(cmGVR).Namespace(ns).Create(context.Background(), mustObj(t, configMapYAML(name)), metav1.CreateOptions{})
			require.NoError(t, err)
			tr := build(t, sensor, &v1alpha1.StandardK8STrigger{
				Operation: v1alpha1.K8sOperationPatch, PatchStrategy: tc.strategy,
				Source: resource(t, patch), Parameters: []v1alpha1.TriggerParameter{nameParam},
			})
			res, err := fire(t, tr, sensor, "ev", `{"name":"`+name+`"}`)
			if tc.terminal {
				require.True(t, trigger.IsTerminal(err), "%v", err)
				require.ErrorContains(t, err, "patching v1 ConfigMap "+ns+"/"+name)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "v1 ConfigMap "+ns+"/"+name+" patched", res.Ref)
			obj := getObj(t, cmGVR, ns, name)
			require.Equal(t, map[string]any{"a": "one", "b": "patched", "c": "added"}, obj.Object["data"])
			require.Equal(t, "ev", obj.GetAnnotations()[AnnotationEventID])
		})
	}
	t.Run("missing object is created", func(t *testing.T) {
		tr := build(t, sensor, &v1alpha1.StandardK8STrigger{Operation: v1alpha1.K8sOperationPatch, Source: resource(t, patch)})
		res, err := fire(t, tr, sensor, "ev", `{}`)
		require.NoError(t, err)
		require.Equal(t, "v1 ConfigMap "+ns+"/p created", res.Ref)
		require.Equal(t, map[string]any{"b": "patched", "c": "added"}, getObj(t, cmGVR, ns, "p").Object["data"])
	})
}

func TestDelete(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	_, err := admin.Resource(cmGVR).Namespace(ns).Create(context.Background(), mustObj(t, configMapYAML("doomed")), metav1.CreateOptions{})
	require.NoError(t, err)
	tr := build(t, sensor, &v1alpha1.StandardK8STrigger{Operation: v1alpha1.K8sOperationDelete, Source: resource(t, configMapYAML("doomed"))})

	res, err := fire(t, tr, sensor, "ev", `{}`)
	require.NoError(t, err)
	require.Equal(t, "v1 ConfigMap "+ns+"/doomed deleted", res.Ref)
	_, err = admin.Resource(cmGVR).Namespace(ns).Get(context.Background(), "doomed", metav1.GetOptions{})
	require.True(t, apierrors.IsNotFound(err))

	res, err = fire(t, tr, sensor, "ev", `{}`)
	require.NoError(t, err, "deleting a missing object succeeds, as in Argo")
	require.Equal(t, "v1 ConfigMap "+ns+"/doomed absent, nothing to delete", res.Ref)
}

func TestApplyTwiceIsOneObject(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	tr := build(t, sensor, &v1alpha1.StandardK8STrigger{Operation: v1alpha1.K8sOperationApply, Source: resource(t, configMapYAML("ssa"))})

	res, err := fire(t, tr, sensor, "ev", `{}`)
	require.NoError(t, err)
	require.Equal(t, "v1 ConfigMap "+ns+"/ssa applied", res.Ref)
	first := getObj(t, cmGVR, ns, "ssa")
	_, err = fire(t, tr, sensor, "ev", `{}`)
	require.NoError(t, err)
	second := getObj(t, cmGVR, ns, "ssa")
	require.Equal(t, first.GetUID(), second.GetUID())
	require.Equal(t, first.GetResourceVersion(), second.GetResourceVersion(), "applying the same firing again changes nothing")
	require.Equal(t, "sn", second.GetLabels()[LabelSensor])
	require.Equal(t, FieldManager, second.GetManagedFields()[0].Manager)
}

func TestClusterScopedKind(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	tr := build(t, sensor, &v1alpha1.StandardK8STrigger{
		Source:     resource(t, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\n"),
		Parameters: []v1alpha1.TriggerParameter{nameParam},
	})
	res, err := fire(t, tr, sensor, "ev", `{"name":"`+ns+`"}`)
	require.NoError(t, err)
	require.Equal(t, "rbac.authorization.k8s.io/v1 ClusterRole "+ns+" created", res.Ref, "no namespace for a cluster-scoped kind")
}

func TestTerminalErrors(t *testing.T) {
	ns := newNamespace(t)
	tests := []struct {
		name, manifest, contains string
		op                       v1alpha1.KubernetesResourceOperation
		transient                bool
	}{
		{name: "invalid object", manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_A_Name\n", contains: "is invalid"},
		{name: "unknown kind", manifest: "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n", contains: "finding the resource of example.com/v1 Widget"},
		{name: "unknown operation", manifest: configMapYAML("x"), op: "explode", contains: `unknown operation "explode"`},
		{name: "namespace missing", manifest: configMapYAML("x"), contains: "creating v1 ConfigMap no-such-namespace/x: ", transient: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sensor := sensorIn(ns, "")
			if tc.transient {
				sensor = sensorIn("no-such-namespace", "")
			}
			spec := &v1alpha1.StandardK8STrigger{Operation: tc.op, Source: resource(t, tc.manifest)}
			kind := NewKind(Options{Factory: factory})
			tr, err := kind.New(testEnv(), sensor, k8sTriggerOf(spec))
			if err == nil {
				_, err = fire(t, tr, sensor, "ev", `{}`)
			}
			require.Error(t, err)
			t.Log(err)
			require.ErrorContains(t, err, tc.contains)
			require.Equal(t, !tc.transient, trigger.IsTerminal(err), "%v", err)
		})
	}
}

func TestConcurrentExecutes(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	tr := build(t, sensor, &v1alpha1.StandardK8STrigger{Source: resource(t, configMapYAML("x")), Parameters: []v1alpha1.TriggerParameter{nameParam}})
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := fire(t, tr, sensor, fmt.Sprintf("ev-%d", i), fmt.Sprintf(`{"name":"c-%d"}`, i))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	list, err := kube.CoreV1().ConfigMaps(ns).List(context.Background(), metav1.ListOptions{LabelSelector: LabelTrigger + "=tr"})
	require.NoError(t, err)
	require.Len(t, list.Items, n)
}

func TestTriggerLevelParametersRewriteTheSpec(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	tr := build(t, sensor, &v1alpha1.StandardK8STrigger{Source: resource(t, configMapYAML("orig"))})
	rewritten := k8sTriggerOf(&v1alpha1.StandardK8STrigger{Operation: v1alpha1.K8sOperationApply, Source: resource(t, configMapYAML("rewritten"))})
	res, err := tr.Execute(context.Background(), &trigger.Request{Sensor: sensor, Trigger: rewritten, EventID: "ev"})
	require.NoError(t, err)
	require.Equal(t, "v1 ConfigMap "+ns+"/rewritten applied", res.Ref)
	_, err = admin.Resource(cmGVR).Namespace(ns).Get(context.Background(), "orig", metav1.GetOptions{})
	require.True(t, apierrors.IsNotFound(err))
	require.False(t, errors.Is(err, trigger.ErrTerminal))
}
