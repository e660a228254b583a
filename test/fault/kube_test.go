package fault

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"

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
func applyFile(tb testing.TB, cp *testenv.ControlPlane, dyn dynamic.Interface, path string) {
	tb.Helper()
	dc, err := discovery.NewDiscoveryClientForConfig(cp.Config)
	require.NoError(tb, err)
	groups, err := restmapper.GetAPIGroupResources(dc)
	require.NoError(tb, err)
	mapper := restmapper.NewDiscoveryRESTMapper(groups)
	raw, err := os.ReadFile(path)
	require.NoError(tb, err)
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(raw)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(tb, err, "reading %s", path)
		var obj map[string]any
		require.NoError(tb, yaml.Unmarshal(doc, &obj), "decoding %s", path)
		if len(obj) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		gvk := u.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		require.NoError(tb, err, "mapping %s", gvk)
		var res dynamic.ResourceInterface = dyn.Resource(m.Resource)
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			res = dyn.Resource(m.Resource).Namespace(u.GetNamespace())
		}
		_, err = res.Apply(tb.Context(), u.GetName(), u, metav1.ApplyOptions{FieldManager: "herald-fault", Force: true})
		require.NoError(tb, err, "applying %s %s from %s", u.GetKind(), u.GetName(), path)
	}
}

// exampleDir is the folder examples/<name> of the repository.
func exampleDir(tb testing.TB, name string) string {
	tb.Helper()
	root, err := testenv.RepoRoot()
	require.NoError(tb, err)
	return filepath.Join(root, "examples", name)
}
