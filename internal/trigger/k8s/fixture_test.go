package k8s

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/testenv"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/clients"
	"github.com/herald-dev/herald/internal/trigger/kubetest"
)

var (
	cl      *kubetest.Cluster
	cp      *testenv.ControlPlane
	kube    kubernetes.Interface
	admin   dynamic.Interface
	factory *clients.Factory
)

func TestMain(m *testing.M) {
	kubetest.Main(m, "k8s-trigger", func(c *kubetest.Cluster) {
		cl, cp, kube, admin, factory = c, c.CP, c.Kube, c.Admin, c.Factory
	}, testenv.WithoutCRDs(), testenv.WithControllerManager())
}

var (
	ingresses = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}
	cmGVR     = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

// The cluster's helpers, by the names these tests use.
var (
	sensorIn = kubetest.SensorIn
	resource = kubetest.Resource
	fire     = kubetest.Fire
)

func newNamespace(t testing.TB) string { return cl.Namespace(t) }

func grant(t testing.TB, ns, sa, group string, resources, verbs []string) {
	t.Helper()
	cl.Grant(t, ns, sa, group, resources, verbs)
}

func testEnv() trigger.Env { return cl.Env() }

func getObj(t testing.TB, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	return cl.Get(t, gvr, ns, name)
}

// k8sTriggerOf wraps spec in a trigger named "tr".
func k8sTriggerOf(spec *v1alpha1.StandardK8STrigger) *v1alpha1.Trigger {
	return &v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{Name: "tr", K8s: spec}}
}

// build makes the trigger with the kind registered for these tests.
func build(t testing.TB, sensor *v1alpha1.Sensor, spec *v1alpha1.StandardK8STrigger) trigger.Trigger {
	t.Helper()
	tr, err := NewKind(Options{Factory: factory}).New(testEnv(), sensor, k8sTriggerOf(spec))
	require.NoError(t, err)
	return tr
}

// configMapYAML is a ConfigMap manifest named name (no namespace).
func configMapYAML(name string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  a: one\n  b: two\n"
}

// mustObj decodes a YAML manifest.
func mustObj(t testing.TB, m string) *unstructured.Unstructured {
	t.Helper()
	obj, err := decodeYAML([]byte(m), "test manifest")
	require.NoError(t, err)
	return obj
}
