package e2e

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/herald-dev/herald/internal/testenv"
)

// kube is an admin client of a test API server that applies manifest files
// as `kubectl apply` would (server-side apply, forced).
type kube struct {
	dyn     dynamic.Interface
	applier *testenv.Applier
}

// newKube builds a kube client from an admin rest.Config.
func newKube(t testing.TB, cfg *rest.Config) *kube {
	t.Helper()
	a, err := testenv.NewApplier(cfg, "herald-e2e")
	require.NoError(t, err)
	return &kube{dyn: a.Dynamic, applier: a}
}

// resource returns the client of obj's kind, scoped to its namespace when
// the kind is namespaced.
func (k *kube) resource(t testing.TB, gvk schema.GroupVersionKind, namespace string) dynamic.ResourceInterface {
	t.Helper()
	res, err := k.applier.Resource(gvk, namespace)
	require.NoError(t, err)
	return res
}

// applyFile applies every document of a YAML file.
func (k *kube) applyFile(t testing.TB, path string) {
	t.Helper()
	require.NoError(t, k.applier.ApplyFile(t.Context(), path))
}

// ingressGVR is networking.k8s.io/v1 Ingress.
var ingressGVR = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}

// ingresses returns the Ingress client of a namespace.
func (k *kube) ingresses(namespace string) dynamic.ResourceInterface {
	return k.dyn.Resource(ingressGVR).Namespace(namespace)
}

// services returns the Service client of a namespace.
func (k *kube) services(namespace string) dynamic.ResourceInterface {
	return k.dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "services"}).Namespace(namespace)
}

// repoRoot is the repository's top folder.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	root, err := testenv.RepoRoot()
	require.NoError(tb, err)
	return root
}

// exampleDir is the folder examples/<name> of the repository.
func exampleDir(tb testing.TB, name string) string {
	tb.Helper()
	return filepath.Join(repoRoot(tb), "examples", name)
}

// startCluster starts a control plane (Herald's CRDs installed) that the
// test stops at its end, and returns it with a client of it.
func startCluster(tb testing.TB) (*testenv.ControlPlane, *kube) {
	tb.Helper()
	cp, err := testenv.StartControlPlane()
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = cp.Stop() })
	return cp, newKube(tb, cp.Config)
}
