package argoworkflow_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/testenv"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/argoworkflow"
	"github.com/herald-dev/herald/internal/trigger/clients"
)

var (
	cp      *testenv.ControlPlane
	kube    kubernetes.Interface
	admin   dynamic.Interface
	factory *clients.Factory
	nsSeq   atomic.Int64

	workflows     = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "workflows"}
	cronWorkflows = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "cronworkflows"}
	cmGVR         = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

func TestMain(m *testing.M) {
	var err error
	cp, err = testenv.StartControlPlane(testenv.WithCRDs("testdata/crds"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the control plane:", err)
		os.Exit(1)
	}
	kube, err = kubernetes.NewForConfig(cp.Config)
	if err == nil {
		admin, err = dynamic.NewForConfig(cp.Config)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "creating clients:", err)
		_ = cp.Stop()
		os.Exit(1)
	}
	factory = clients.NewFactory(cp.Config, 1000, 2000)
	code := m.Run()
	if err := cp.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the control plane:", err)
	}
	os.Exit(code)
}

// newNamespace creates a namespace of its own for a test.
func newNamespace(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("argo-wf-%d", nsSeq.Add(1))
	_, err := kube.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err)
	return name
}

// grant lets ServiceAccount sa of ns do verbs on workflows in ns.
func grant(t testing.TB, ns, sa string, verbs ...string) {
	t.Helper()
	ctx := context.Background()
	_, err := kube.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: sa},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{"argoproj.io"}, Resources: []string{"workflows"}, Verbs: verbs}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = kube.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: sa},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: sa},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: ns}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	// The authorizer learns of the binding through a watch: wait for it.
	user := clients.ServiceAccountIdentity(ns, sa)
	require.Eventually(t, func() bool {
		review, err := kube.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
			Spec: authorizationv1.SubjectAccessReviewSpec{
				User:   user,
				Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
				ResourceAttributes: &authorizationv1.ResourceAttributes{
					Namespace: ns, Verb: verbs[0], Group: "argoproj.io", Resource: "workflows",
				},
			},
		}, metav1.CreateOptions{})
		return err == nil && review.Status.Allowed
	}, 30*time.Second, 20*time.Millisecond, "RBAC for %s never took effect", user)
}

func testEnv() trigger.Env {
	return trigger.Env{
		Logger:  slog.New(slog.DiscardHandler),
		Kube:    cp.Config,
		Clients: factory.Dynamic,
		HTTP:    http.DefaultClient,
	}
}

// sensorIn returns a Sensor in ns acting as sa ("" for Herald's identity).
func sensorIn(ns, sa string) *v1alpha1.Sensor {
	s := &v1alpha1.Sensor{ObjectMeta: metav1.ObjectMeta{Name: "sn", Namespace: ns}}
	if sa != "" {
		s.Spec.Template = &v1alpha1.Template{ServiceAccountName: sa}
	}
	return s
}

// triggerOf wraps spec in a trigger named "tr".
func triggerOf(spec *v1alpha1.ArgoWorkflowTrigger) *v1alpha1.Trigger {
	return &v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{Name: "tr", ArgoWorkflow: spec}}
}

// resource returns a resource source holding the YAML manifest m.
func resource(t testing.TB, m string) *v1alpha1.ArtifactLocation {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(m))
	require.NoError(t, err)
	return &v1alpha1.ArtifactLocation{Resource: &v1alpha1.K8SResource{Value: j}}
}

// build makes the trigger of spec.
func build(t testing.TB, sensor *v1alpha1.Sensor, spec *v1alpha1.ArgoWorkflowTrigger) trigger.Trigger {
	t.Helper()
	tr, err := argoworkflow.New(testEnv(), sensor, triggerOf(spec))
	require.NoError(t, err)
	return tr
}

// fire executes tr once with an event whose JSON data is data.
func fire(t testing.TB, tr trigger.Trigger, sensor *v1alpha1.Sensor, eventID, data string) (trigger.Result, error) {
	t.Helper()
	return tr.Execute(context.Background(), request(sensor, eventID, data))
}

func request(sensor *v1alpha1.Sensor, eventID, data string) *trigger.Request {
	ev := &event.Event{ID: eventID, Source: "es", Subject: "ev", Type: "webhook", DataContentType: event.ContentTypeJSON, Data: []byte(data)}
	return &trigger.Request{Sensor: sensor, Events: map[string]*event.Event{"dep": ev}, EventID: eventID}
}

func getObj(t testing.TB, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	obj, err := admin.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(t, err)
	return obj
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
