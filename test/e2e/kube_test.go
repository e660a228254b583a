package e2e

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
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/internal/testenv"
)

// kube is an admin client of a test API server that applies manifest files
// as `kubectl apply` would (server-side apply, forced).
type kube struct {
	dyn    dynamic.Interface
	mapper meta.RESTMapper
}

// newKube builds a kube client from an admin rest.Config.
func newKube(t testing.TB, cfg *rest.Config) *kube {
	t.Helper()
	dyn, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	require.NoError(t, err)
	groups, err := restmapper.GetAPIGroupResources(dc)
	require.NoError(t, err)
	return &kube{dyn: dyn, mapper: restmapper.NewDiscoveryRESTMapper(groups)}
}

// resource returns the client of obj's kind, scoped to its namespace when
// the kind is namespaced.
func (k *kube) resource(t testing.TB, gvk schema.GroupVersionKind, namespace string) dynamic.ResourceInterface {
	t.Helper()
	m, err := k.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	require.NoError(t, err, "mapping %s", gvk)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return k.dyn.Resource(m.Resource).Namespace(namespace)
	}
	return k.dyn.Resource(m.Resource)
}

// applyFile applies every document of a YAML file.
func (k *kube) applyFile(t testing.TB, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(raw)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err, "reading %s", path)
		var obj map[string]any
		require.NoError(t, yaml.Unmarshal(doc, &obj), "decoding %s", path)
		if len(obj) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		_, err = k.resource(t, u.GroupVersionKind(), u.GetNamespace()).Apply(t.Context(), u.GetName(), u,
			metav1.ApplyOptions{FieldManager: "herald-e2e", Force: true})
		require.NoError(t, err, "applying %s %s/%s from %s", u.GetKind(), u.GetNamespace(), u.GetName(), path)
	}
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
