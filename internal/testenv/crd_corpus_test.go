package testenv

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"
)

// TestCRDsAcceptArgoCorpus creates (server-side dry run) every EventSource,
// Sensor and EventBus of Argo Events' own examples on the real API server with
// Herald's CRDs installed: the schemas must accept all that Argo accepts, and
// keep keys they do not know (Argo ignores them; some differ only in case).
func TestCRDsAcceptArgoCorpus(t *testing.T) {
	ctx := t.Context()
	shared, err := SharedDir()
	require.NoError(t, err)
	cs, err := kubernetes.NewForConfig(cp.Config)
	require.NoError(t, err)
	_, err = cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "argo-compat"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	dc, err := dynamic.NewForConfig(cp.Config)
	require.NoError(t, err)
	resources := map[string]string{"EventSource": "eventsources", "Sensor": "sensors", "EventBus": "eventbus"}

	var files []string
	for _, dir := range []string{"argo-compat", filepath.Join("scenarios", "auto-ingress")} {
		require.NoError(t, filepath.WalkDir(filepath.Join(shared, dir), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				files = append(files, p)
			}
			return err
		}))
	}
	created := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		rd := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for {
			doc, err := rd.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, f)
			var u unstructured.Unstructured
			if err := yaml.Unmarshal(doc, &u.Object); err != nil || u.Object == nil {
				continue
			}
			res, ok := resources[u.GetKind()]
			if !ok || u.GetAPIVersion() != "argoproj.io/v1alpha1" {
				continue
			}
			u.SetNamespace("argo-compat")
			gvr := schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: res}
			got, err := dc.Resource(gvr).Namespace("argo-compat").Create(ctx, &u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			require.NoError(t, err, "%s: %s %s", f, u.GetKind(), u.GetName())
			// Nothing the manifest says is pruned away.
			wantSpec, _, _ := unstructured.NestedFieldNoCopy(u.Object, "spec")
			gotSpec, _, _ := unstructured.NestedFieldNoCopy(got.Object, "spec")
			wantJSON, err := json.Marshal(wantSpec)
			require.NoError(t, err)
			gotJSON, err := json.Marshal(gotSpec)
			require.NoError(t, err)
			var want, gotV any
			require.NoError(t, json.Unmarshal(wantJSON, &want))
			require.NoError(t, json.Unmarshal(gotJSON, &gotV))
			// The schema may add defaults (a ServicePort's protocol), never drop or change.
			require.NoError(t, contains(gotV, want, "spec"), "%s: %s %s: spec changed on the way through the API server", f, u.GetKind(), u.GetName())
			created++
		}
	}
	t.Logf("the API server accepted %d EventSource, Sensor and EventBus objects from %d files", created, len(files))
	require.Greater(t, created, 140)
}

// contains reports where got lacks or changes something of want; extra keys
// in got's objects are allowed.
func contains(got, want any, path string) error {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: got %T, want an object", path, got)
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("%s.%s: dropped", path, k)
			}
			if err := contains(gv, wv, path+"."+k); err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: got %v, want %v", path, got, want)
		}
		for i := range w {
			if err := contains(g[i], w[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	default:
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("%s: got %v, want %v", path, got, want)
		}
		return nil
	}
}
