package k8s

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/sensor/param"
	"github.com/herald-dev/herald/internal/sensor/transform"
	"github.com/herald-dev/herald/internal/trigger"
)

// The auto-ingress scenario's case C1: the Sensor's ingress trigger, fired
// by the ADD of fortune-svc as playground-sa, creates exactly the expected
// Ingress.
func TestAutoIngressC1(t *testing.T) {
	ctx := context.Background()
	_, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "playground"}}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		require.NoError(t, err)
	}
	err = admin.Resource(ingresses).Namespace("playground").Delete(ctx, "fortune-svc-ingress", metav1.DeleteOptions{})
	if !apierrors.IsNotFound(err) {
		require.NoError(t, err)
	}
	grant(t, "playground", "playground-sa", "networking.k8s.io", []string{"ingresses"}, []string{"get", "list", "watch", "create", "update", "patch", "delete"})

	sensor, req := autoIngressRequest(t, "testdata/payload.json", "0b6f2a1c-auto-ingress")
	kind := NewKind(Options{Factory: factory})
	tr, err := kind.New(testEnv(), sensor, req.Trigger)
	require.NoError(t, err)
	res, err := tr.Execute(ctx, req)
	require.NoError(t, err)
	require.Equal(t, "networking.k8s.io/v1 Ingress playground/fortune-svc-ingress created", res.Ref)

	got := getObj(t, ingresses, "playground", "fortune-svc-ingress")
	want := readYAML(t, "testdata/C1.ingress.yaml")
	require.Equal(t, want.GetAPIVersion(), got.GetAPIVersion())
	require.Equal(t, want.GetKind(), got.GetKind())
	require.Equal(t, want.Object["spec"], got.Object["spec"], "spec must match exactly, port.number an integer")
	for k, v := range want.GetLabels() {
		if re, ok := cutRE(v); ok {
			require.Regexp(t, re, got.GetLabels()[k], k)
			continue
		}
		require.Equal(t, v, got.GetLabels()[k], k)
	}
	require.Equal(t, "0b6f2a1c-auto-ingress", got.GetAnnotations()[AnnotationEventID])
	require.Empty(t, got.GetOwnerReferences())

	// The redelivered event changes nothing.
	res, err = tr.Execute(ctx, req)
	require.NoError(t, err)
	require.Equal(t, "networking.k8s.io/v1 Ingress playground/fortune-svc-ingress already created by this event", res.Ref)
	require.Equal(t, got.GetResourceVersion(), getObj(t, ingresses, "playground", "fortune-svc-ingress").GetResourceVersion())
}

func cutRE(v string) (string, bool) {
	const prefix = "~re:"
	if len(v) > len(prefix) && v[:len(prefix)] == prefix {
		return v[len(prefix):], true
	}
	return "", false
}

// autoIngressRequest builds the request the engine makes for the ingress
// trigger of testdata/ingress-sn.yaml from the resource event data in
// payload: the dependency's jq transform, then the trigger-level parameters.
func autoIngressRequest(t testing.TB, payload, eventID string) (*v1alpha1.Sensor, *trigger.Request) {
	t.Helper()
	raw, err := os.ReadFile("testdata/ingress-sn.yaml")
	require.NoError(t, err)
	sensor := &v1alpha1.Sensor{}
	require.NoError(t, yaml.Unmarshal(raw, sensor))
	data, err := os.ReadFile(filepath.Clean(payload))
	require.NoError(t, err)

	dep := sensor.Spec.Dependencies[0]
	tf, err := transform.Compile(dep.Transform, transform.Options{Strict: true})
	require.NoError(t, err)
	ev, err := tf.Apply(context.Background(), &event.Event{
		ID: eventID, Source: "ingress-es", Subject: "svc-events", Type: "resource",
		Time: time.Now(), DataContentType: event.ContentTypeJSON, Data: data,
	})
	require.NoError(t, err)
	events := map[string]*event.Event{dep.Name: ev}

	trig := sensor.Spec.Triggers[0]
	tmpl, err := param.ApplyToTemplate(trig.Template, trig.Parameters, events)
	require.NoError(t, err)
	rendered := trig
	rendered.Template = tmpl
	return sensor, &trigger.Request{Sensor: sensor, Trigger: &rendered, Events: events, EventID: eventID}
}

func readYAML(t testing.TB, path string) *unstructured.Unstructured {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return mustObj(t, string(raw))
}
