package argoworkflow_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/testenv"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/argoworkflow"
	"github.com/herald-dev/herald/internal/trigger/clients"
	"github.com/herald-dev/herald/internal/trigger/kubetest"
)

var (
	cl      *kubetest.Cluster
	cp      *testenv.ControlPlane
	kube    kubernetes.Interface
	admin   dynamic.Interface
	factory *clients.Factory

	workflows     = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "workflows"}
	cronWorkflows = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "cronworkflows"}
	cmGVR         = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

func TestMain(m *testing.M) {
	kubetest.Main(m, "argo-wf", func(c *kubetest.Cluster) {
		cl, cp, kube, admin, factory = c, c.CP, c.Kube, c.Admin, c.Factory
	}, testenv.WithCRDs("testdata/crds"))
}

// The cluster's helpers, by the names these tests use.
var (
	sensorIn = kubetest.SensorIn
	resource = kubetest.Resource
	fire     = kubetest.Fire
	request  = kubetest.Request
)

func newNamespace(t testing.TB) string { return cl.Namespace(t) }

// grant lets ServiceAccount sa of ns do verbs on workflows in ns.
func grant(t testing.TB, ns, sa string, verbs ...string) {
	t.Helper()
	cl.Grant(t, ns, sa, "argoproj.io", []string{"workflows"}, verbs)
}

func testEnv() trigger.Env { return cl.Env() }

func getObj(t testing.TB, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	return cl.Get(t, gvr, ns, name)
}

// triggerOf wraps spec in a trigger named "tr".
func triggerOf(spec *v1alpha1.ArgoWorkflowTrigger) *v1alpha1.Trigger {
	return &v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{Name: "tr", ArgoWorkflow: spec}}
}

// build makes the trigger of spec.
func build(t testing.TB, sensor *v1alpha1.Sensor, spec *v1alpha1.ArgoWorkflowTrigger) trigger.Trigger {
	t.Helper()
	tr, err := argoworkflow.New(testEnv(), sensor, triggerOf(spec))
	require.NoError(t, err)
	return tr
}

// createObj creates the YAML manifest m in ns as the administrator.
func createObj(t testing.TB, gvr schema.GroupVersionResource, ns, m string) *unstructured.Unstructured {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(m))
	require.NoError(t, err)
	obj := &unstructured.Unstructured{}
	require.NoError(t, obj.UnmarshalJSON(j))
	created, err := admin.Resource(gvr).Namespace(ns).Create(context.Background(), obj, metav1.CreateOptions{})
	require.NoError(t, err)
	return created
}

// workflowYAML is a Workflow manifest with one argument, named name (or,
// ending in "-", with that generateName).
func workflowYAML(name string) string {
	meta := "name: " + name
	if name != "" && name[len(name)-1] == '-' {
		meta = "generateName: " + name
	}
	return `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  ` + meta + `
  labels:
    team: a
spec:
  entrypoint: print-message
  arguments:
    parameters:
      - name: message
        value: hello world
  templates:
    - name: print-message
      container:
        image: busybox
        command: [echo]
        args: ["{{inputs.parameters.message}}"]
`
}

// messageParam writes the event's body.message into the Workflow argument.
var messageParam = v1alpha1.TriggerParameter{
	Src:  &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "message"},
	Dest: "spec.arguments.parameters.0.value",
}

// nameParam names the Workflow after the event's name.
var nameParam = v1alpha1.TriggerParameter{
	Src:  &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "name"},
	Dest: "metadata.name",
}

func configMapKey(name, key string) *corev1.ConfigMapKeySelector {
	return &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
}
