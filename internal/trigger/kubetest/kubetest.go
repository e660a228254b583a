// Package kubetest is the fixture of the tests of triggers that act on a
// Kubernetes API server (k8s, argoWorkflow): a real control plane for the
// package's tests, clients to it, namespaces of their own, ServiceAccounts
// granted what a test needs, and the trigger environment and Sensors that
// use them.
package kubetest

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

// Cluster is a control plane and the clients of a package's tests.
type Cluster struct {
	CP *testenv.ControlPlane
	// Kube and Admin act as the administrator; Factory gives the clients
	// of triggers (Herald's and each ServiceAccount's).
	Kube    kubernetes.Interface
	Admin   dynamic.Interface
	Factory *clients.Factory

	prefix string
	seq    atomic.Int64
}

// Main is a TestMain: it starts a control plane with opts, hands the
// cluster to use (to set the package's variables), runs the tests, stops
// the control plane and exits. Namespaces are named prefix-N.
func Main(m *testing.M, prefix string, use func(*Cluster), opts ...testenv.Option) {
	cp, err := testenv.StartControlPlane(opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the control plane:", err)
		os.Exit(1)
	}
	c := &Cluster{CP: cp, prefix: prefix, Factory: clients.NewFactory(cp.Config, 1000, 2000)}
	c.Kube, err = kubernetes.NewForConfig(cp.Config)
	if err == nil {
		c.Admin, err = dynamic.NewForConfig(cp.Config)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "creating clients:", err)
		_ = cp.Stop()
		os.Exit(1)
	}
	use(c)
	code := m.Run()
	if err := cp.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the control plane:", err)
	}
	os.Exit(code)
}

// Namespace creates a namespace of its own for a test.
func (c *Cluster) Namespace(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("%s-%d", c.prefix, c.seq.Add(1))
	_, err := c.Kube.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err)
	return name
}

// Grant lets ServiceAccount sa of ns do verbs on resources of group in ns
// (replacing what an earlier Grant gave it), and waits until the API
// server's authorizer allows the first verb on the first resource.
func (c *Cluster) Grant(t testing.TB, ns, sa, group string, resources, verbs []string) {
	t.Helper()
	ctx := context.Background()
	_ = c.Kube.RbacV1().RoleBindings(ns).Delete(ctx, sa, metav1.DeleteOptions{})
	_ = c.Kube.RbacV1().Roles(ns).Delete(ctx, sa, metav1.DeleteOptions{})
	_, err := c.Kube.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: sa},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{group}, Resources: resources, Verbs: verbs}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = c.Kube.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: sa},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: sa},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: ns}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	// The authorizer learns of the binding through a watch: wait for it.
	user := clients.ServiceAccountIdentity(ns, sa)
	require.Eventually(t, func() bool {
		review, err := c.Kube.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
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

// Env is the trigger environment of the cluster's triggers.
func (c *Cluster) Env() trigger.Env {
	return trigger.Env{
		Logger:  slog.New(slog.DiscardHandler),
		Kube:    c.CP.Config,
		Clients: c.Factory.Dynamic,
		HTTP:    http.DefaultClient,
	}
}

// Get reads an object as the administrator.
func (c *Cluster) Get(t testing.TB, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	obj, err := c.Admin.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(t, err)
	return obj
}

// SensorIn returns a Sensor in ns acting as sa ("" for Herald's identity).
func SensorIn(ns, sa string) *v1alpha1.Sensor {
	s := &v1alpha1.Sensor{ObjectMeta: metav1.ObjectMeta{Name: "sn", Namespace: ns}}
	if sa != "" {
		s.Spec.Template = &v1alpha1.Template{ServiceAccountName: sa}
	}
	return s
}

// Resource returns a resource source holding the YAML manifest m.
func Resource(t testing.TB, m string) *v1alpha1.ArtifactLocation {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(m))
	require.NoError(t, err)
	return &v1alpha1.ArtifactLocation{Resource: &v1alpha1.K8SResource{Value: j}}
}

// Request is the firing of sensor by one event of dependency "dep" whose
// JSON data is data.
func Request(sensor *v1alpha1.Sensor, eventID, data string) *trigger.Request {
	ev := &event.Event{ID: eventID, Source: "es", Subject: "ev", Type: "webhook", DataContentType: event.ContentTypeJSON, Data: []byte(data)}
	return &trigger.Request{Sensor: sensor, Events: map[string]*event.Event{"dep": ev}, EventID: eventID}
}

// Fire executes tr once with Request(sensor, eventID, data).
func Fire(t testing.TB, tr trigger.Trigger, sensor *v1alpha1.Sensor, eventID, data string) (trigger.Result, error) {
	t.Helper()
	return tr.Execute(context.Background(), Request(sensor, eventID, data))
}
