package admission

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/bundle"
	"github.com/herald-dev/herald/internal/manifest"
)

// TestSameMessagesAsLint checks every single-object fixture of lint's
// corpus (internal/bundle/testdata) as the API server would send it, in
// JSON, and requires the errors and warnings lint prints for the file,
// without file and line.
func TestSameMessagesAsLint(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "bundle", "testdata", "*", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	checked := 0
	for _, file := range files {
		b, diags, err := bundle.Load([]string{file}, bundle.Options{})
		require.NoError(t, err)
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		raw, err := yaml.YAMLToJSON(data)
		if len(b.Objects) != 1 || err != nil || len(manifestDocs(t, data)) != 1 || bytes.Contains(data, []byte("---")) {
			continue // several documents, none, or YAML that has no JSON form
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			v := check(raw, validation.DefaultSupport())
			require.ElementsMatch(t, messages(diags.Errors()), messages(v.errors), "errors")
			require.ElementsMatch(t, messages(diags.Warnings()), messages(v.warnings), "warnings")
		})
		checked++
	}
	require.GreaterOrEqual(t, checked, 80, "fixtures checked")
}

// manifestDocs returns the documents of a YAML file that lint loads.
func manifestDocs(t *testing.T, data []byte) []manifest.Document {
	t.Helper()
	docs, diags, err := manifest.LoadBytes("f.yaml", data, manifest.Options{Kinds: bundle.Kinds()})
	require.NoError(t, err)
	if slices.ContainsFunc(diags, func(d manifest.Diagnostic) bool { return d.Severity == manifest.Info }) {
		return nil // lint skipped a document: not one object
	}
	return docs
}
