package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/golden"
)

// TestPagesAreCurrent fails when a kind, its Doc or a manifest type changed
// and docs/reference was not regenerated (make docs, or this test with
// -update).
func TestPagesAreCurrent(t *testing.T) {
	pages, err := generate(filepath.Join("..", "..", "api", "v1alpha1"))
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"README.md", "sources.md", "triggers.md"}, slices.Collect(maps.Keys(pages)))
	for name, got := range pages {
		golden.Check(t, filepath.Join("..", "..", "docs", "reference", name), got)
	}
}

func TestPagesListEveryKind(t *testing.T) {
	pages, err := generate(filepath.Join("..", "..", "api", "v1alpha1"))
	require.NoError(t, err)
	sources, triggers := string(pages["sources.md"]), string(pages["triggers.md"])
	for _, want := range []string{"## webhook", "## resource", "## calendar", "## kafka", "- `sqs`", "### EventSourceFilter"} {
		require.Contains(t, sources, want)
	}
	for _, want := range []string{"## k8s", "## http", "## log", "## argoWorkflow", "- `awsLambda`", "### TriggerParameter"} {
		require.Contains(t, triggers, want)
	}
	require.NotContains(t, sources, "- `webhook`", "a supported kind is listed as unsupported")
}

func TestKindsMustMatchSupport(t *testing.T) {
	_, err := kinds("trigger", map[string]bool{"k8s": true, "log": true}, []string{"k8s"}, func(string) string { return "doc" })
	require.ErrorContains(t, err, "differ from those validation.DefaultSupport accepts")
	_, err = kinds("trigger", map[string]bool{"k8s": true}, []string{"k8s"}, func(string) string { return "" })
	require.ErrorContains(t, err, "trigger kind k8s has no Doc")
}

func TestCommentText(t *testing.T) {
	for _, tc := range []struct{ src, doc string }{
		{"// A is a.\n// +optional\n", "A is a."},
		{"// A is\n// a.\n//\n// More.\n// +kubebuilder:validation:Enum=x\n", "A is a.\n\nMore."},
	} {
		f, err := parser.ParseFile(token.NewFileSet(), "x.go", "package x\n\ntype T struct {\n"+tc.src+"A string\n}\n", parser.ParseComments)
		require.NoError(t, err)
		field := f.Decls[0].(*ast.GenDecl).Specs[0].(*ast.TypeSpec).Type.(*ast.StructType).Fields.List[0]
		got := text(field.Doc)
		require.Equal(t, tc.doc, got.doc)
		require.Equal(t, strings.Contains(tc.src, "+optional"), got.optional)
	}
}
