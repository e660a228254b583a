package k8s

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
	"github.com/herald-dev/herald/internal/trigger/clients"
)

var (
	cp      *testenv.ControlPlane
	kube    kubernetes.Interface
	admin   dynamic.Interface
	factory *clients.Factory
	nsSeq   atomic.Int64
)

func TestMain(m *testing.M) {
	var err error
	cp, err = testenv.StartControlPlane(testenv.WithoutCRDs(), testenv.WithControllerManager())
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

var (
	ingresses = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}
	cmGVR     = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

// newNamespace creates a namespace of its own for a test.
func newNamespace(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("k8s-trigger-%d", nsSeq.Add(1))
	_, err := kube.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err)
	return name
}

// grant lets ServiceAccount sa of ns do verbs on resources of group in ns.
func grant(t testing.TB, ns, sa, group string, resources, verbs []string) {
	t.Helper()
	ctx := context.Background()
	_ = kube.RbacV1().RoleBindings(ns).Delete(ctx, sa, metav1.DeleteOptions{})
	_ = kube.RbacV1().Roles(ns).Delete(ctx, sa, metav1.DeleteOptions{})
	_, err := kube.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: sa},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{group}, Resources: resources, Verbs: verbs}},
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
					Namespace: ns, Verb: verbs[0], Group: group, Resource: resources[0],
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

// k8sTriggerOf wraps spec in a trigger named "tr".
func k8sTriggerOf(spec *v1alpha1.StandardK8STrigger) *v1alpha1.Trigger {
	return &v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{Name: "tr", K8s: spec}}
}

// resource returns a resource source holding the YAML manifest m.
func resource(t testing.TB, m string) *v1alpha1.ArtifactLocation {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(m))
	require.NoError(t, err)
	return &v1alpha1.ArtifactLocation{Resource: &v1alpha1.K8SResource{Value: j}}
}

// build makes the trigger with the kind registered for these tests.
func build(t testing.TB, sensor *v1alpha1.Sensor, spec *v1alpha1.StandardK8STrigger) trigger.Trigger {
	t.Helper()
	tr, err := NewKind(Options{Factory: factory}).New(testEnv(), sensor, k8sTriggerOf(spec))
	require.NoError(t, err)
	return tr
}

// fire executes tr once with an event whose JSON data is data.
func fire(t testing.TB, tr trigger.Trigger, sensor *v1alpha1.Sensor, eventID, data string) (trigger.Result, error) {
	t.Helper()
	ev := &event.Event{ID: eventID, Source: "es", Subject: "ev", Type: "webhook", DataContentType: event.ContentTypeJSON, Data: []byte(data)}
	return tr.Execute(context.Background(), &trigger.Request{
		Sensor:  sensor,
		Trigger: nil,
		Events:  map[string]*event.Event{"dep": ev},
		EventID: eventID,
	})
}

func getObj(t testing.TB, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	obj, err := admin.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(t, err)
	return obj
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
