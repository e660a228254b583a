package clients

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"

	"github.com/herald-dev/herald/internal/testenv"
)

var (
	cp   *testenv.ControlPlane
	kube kubernetes.Interface
)

func TestMain(m *testing.M) {
	var err error
	cp, err = testenv.StartControlPlane(testenv.WithoutCRDs())
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the control plane:", err)
		os.Exit(1)
	}
	kube, err = kubernetes.NewForConfig(cp.Config)
	if err != nil {
		fmt.Fprintln(os.Stderr, "creating a client:", err)
		_ = cp.Stop()
		os.Exit(1)
	}
	code := m.Run()
	if err := cp.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the control plane:", err)
	}
	os.Exit(code)
}

var configMaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

func TestImpersonation(t *testing.T) {
	ctx := context.Background()
	ns := fmt.Sprintf("clients-test-%d", time.Now().UnixNano())
	_, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	require.NoError(t, err)
	f := NewFactory(cp.Config, 100, 200)
	identity := ServiceAccountIdentity(ns, "sa")
	require.Equal(t, "system:serviceaccount:"+ns+":sa", identity)

	dyn, err := f.Dynamic(identity)
	require.NoError(t, err)
	again, err := f.Dynamic(identity)
	require.NoError(t, err)
	require.Same(t, dyn, again, "one client per identity")

	_, err = dyn.Resource(configMaps).Namespace(ns).List(ctx, metav1.ListOptions{})
	require.True(t, apierrors.IsForbidden(err), "no RBAC yet: %v", err)
	require.ErrorContains(t, err, `"`+identity+`"`)

	// A binding to the group the API server gives the namespace's accounts
	// works too, so the impersonated groups are right.
	letAccountsListConfigMaps(t, kube, ns)
	// The authorizer learns of the binding through a watch.
	require.Eventually(t, func() bool {
		_, err = dyn.Resource(configMaps).Namespace(ns).List(ctx, metav1.ListOptions{})
		return err == nil
	}, 30*time.Second, 20*time.Millisecond, "listing as the bound account: %v", err)

	own, err := f.Dynamic("")
	require.NoError(t, err)
	require.NotSame(t, dyn, own)
	_, err = own.Resource(configMaps).Namespace(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	require.Empty(t, f.Config("").Impersonate.UserName)
	require.Equal(t, float32(100), f.Config("").QPS)
}

func TestMapper(t *testing.T) {
	f := NewFactory(cp.Config, 100, 200)
	m, err := f.Mapper()
	require.NoError(t, err)
	again, err := f.Mapper()
	require.NoError(t, err)
	require.Same(t, m, again)

	mapping, err := m.RESTMapping("networking.k8s.io", "v1", "Ingress")
	require.NoError(t, err)
	require.Equal(t, "ingresses", mapping.Resource.Resource)
	require.Equal(t, meta.RESTScopeNameNamespace, mapping.Scope.Name())

	mapping, err = m.RESTMapping("", "v1", "Namespace")
	require.NoError(t, err)
	require.Equal(t, meta.RESTScopeNameRoot, mapping.Scope.Name())

	_, err = m.RESTMapping("example.com", "v1", "Widget")
	require.True(t, meta.IsNoMatchError(err), "%v", err)
}

// TestImpersonationNeedsOnlyServiceAccounts runs the factory as a user
// that may impersonate ServiceAccounts and nothing else, as Herald's
// controller role allows: acting as an account works, and the account's
// groups (which the API server adds) count.
func TestImpersonationNeedsOnlyServiceAccounts(t *testing.T) {
	ctx := t.Context()
	kube, err := kubernetes.NewForConfig(cp.Config)
	require.NoError(t, err)
	const user = "herald-narrow"
	_, err = kube.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: user},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"serviceaccounts"}, Verbs: []string{"impersonate"}}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = kube.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: user},
		Subjects:   []rbacv1.Subject{{Kind: "User", Name: user}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	ns := "narrow"
	_, err = kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	require.NoError(t, err)
	letAccountsListConfigMaps(t, kube, ns)

	cfg, err := cp.UserConfig(user)
	require.NoError(t, err)
	dyn, err := NewFactory(cfg, 100, 200).Dynamic(ServiceAccountIdentity(ns, "any"))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err = dyn.Resource(configMaps).Namespace(ns).List(ctx, metav1.ListOptions{})
		return err == nil
	}, 30*time.Second, 20*time.Millisecond, "listing as a ServiceAccount of %s: %v", ns, err)
}

// A kind unknown at first is found once its CRD is installed.
func TestMapperSeesNewCRD(t *testing.T) {
	f := NewFactory(cp.Config, 100, 200)
	m, err := f.Mapper()
	require.NoError(t, err)
	group := fmt.Sprintf("late%d.example.com", time.Now().UnixNano())
	_, err = m.RESTMapping(group, "v1", "Gadget")
	require.True(t, meta.IsNoMatchError(err), "%v", err)

	dyn, err := f.Dynamic("")
	require.NoError(t, err)
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": "gadgets." + group},
		"spec": map[string]any{
			"group": group,
			"names": map[string]any{"kind": "Gadget", "plural": "gadgets", "singular": "gadget", "listKind": "GadgetList"},
			"scope": "Namespaced",
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
			}},
		},
	}}
	crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	_, err = dyn.Resource(crds).Create(context.Background(), crd, metav1.CreateOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		mapping, err := m.RESTMapping(group, "v1", "Gadget")
		return err == nil && mapping.Resource.Resource == "gadgets"
	}, 30*time.Second, 100*time.Millisecond)
}

// letAccountsListConfigMaps lets every ServiceAccount of ns list its
// ConfigMaps, through the group the API server puts them in.
func letAccountsListConfigMaps(t *testing.T, kube kubernetes.Interface, ns string) {
	t.Helper()
	ctx := t.Context()
	_, err := kube.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "read"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"list"}}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = kube.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "read"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "read"},
		Subjects:   []rbacv1.Subject{{Kind: "Group", Name: "system:serviceaccounts:" + ns}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
}
