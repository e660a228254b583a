package fault

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/herald-dev/herald/internal/testenv"
)

var (
	serviceGVR = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	ingressGVR = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}
)

// startCluster starts a control plane that the test stops at its end and
// returns it with a dynamic client of it.
func startCluster(tb testing.TB) (*testenv.ControlPlane, dynamic.Interface) {
	tb.Helper()
	cp, err := testenv.StartControlPlane()
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = cp.Stop() })
	dyn, err := dynamic.NewForConfig(cp.Config)
	require.NoError(tb, err)
	return cp, dyn
}

// applyFile applies every document of a YAML file, as `kubectl apply
// --server-side --force-conflicts` does.
func applyFile(tb testing.TB, cp *testenv.ControlPlane, path string) {
	tb.Helper()
	a, err := testenv.NewApplier(cp.Config, "herald-fault")
	require.NoError(tb, err)
	require.NoError(tb, a.ApplyFile(tb.Context(), path))
}

// exampleDir is the folder examples/<name> of the repository.
func exampleDir(tb testing.TB, name string) string {
	tb.Helper()
	root, err := testenv.RepoRoot()
	require.NoError(tb, err)
	return filepath.Join(root, "examples", name)
}
