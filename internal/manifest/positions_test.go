package manifest

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const positionsSrc = `# leading comment
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: s
spec:
  dependencies:
    - name: dep
      eventSourceName: es
  triggers:
    - template:
        name: t
        openwhisk:
          host: h
        http:
          url: u
          headers:
            x-a: b
          body:
            free: {form: 1}
      retryStrategy:
        steps: 3
`

func TestPositions(t *testing.T) {
	docs, diags := loadOne(t, positionsSrc, Options{})
	require.Len(t, docs, 1, diags.String())
	pos := docs[0].Positions
	for path, line := range map[string]int{
		"":                                     2,
		"apiVersion":                           2,
		"metadata.name":                        5,
		"spec.dependencies[0]":                 8,
		"spec.dependencies[0].eventSourceName": 9,
		"spec.triggers[0].template.openWhisk":  13, // the Go JSON name
		"spec.triggers[0].template.openwhisk":  13, // the key as written
		"spec.triggers[0].template.http.headers[x-a]":   18,
		"spec.triggers[0].template.http.body.free.form": 20,
		"spec.triggers[0].retryStrategy.steps":          22,
		// Missing paths fall back to the nearest written ancestor.
		"spec.triggers[0].template.http.method": 15,
		"spec.triggers[0].template.k8s.source":  11,
		"spec.triggers[3].template":             10,
		"spec.webhook[example].port":            6,
		"status.lastUpdated":                    2,
	} {
		require.Equal(t, line, pos.Line(path), "line of %q", path)
	}
	p, ok := pos.Exact("spec.triggers[0].template.http.url")
	require.True(t, ok)
	require.Equal(t, Position{Line: 16, Column: 11}, p)
	_, ok = pos.Exact("spec.triggers[0].template.http.method")
	require.False(t, ok)

	var none *Positions
	require.Equal(t, 0, none.Line("spec"))
	require.Equal(t, 0, none.Len())
}

func TestParentPath(t *testing.T) {
	for path, want := range map[string]string{
		"a.b.c":      "a.b",
		"a.b[0]":     "a.b",
		"a[0].b":     "a[0]",
		"a.b[x.y]":   "a.b",
		"a.b[x.y].c": "a.b[x.y]",
		"a":          "",
		"a[0][1]":    "a[0]",
	} {
		require.Equal(t, want, parentPath(path), "parent of %q", path)
	}
}

func TestPositionsDiagnostics(t *testing.T) {
	docs, diags := loadOne(t, positionsSrc, Options{})
	require.Len(t, docs, 1, diags.String())
	trigger := field.NewPath("spec", "triggers").Index(0)
	errs := field.ErrorList{
		field.Required(trigger.Child("template", "http", "method"), ""),
		field.Invalid(trigger.Child("template", "http", "url"), "u", "must be an absolute URL"),
		field.Invalid(trigger.Child("retryStrategy", "steps"), 3, ""),
		field.NotSupported(trigger.Child("template", "name"), "t", []string{"a", "b"}),
		field.Duplicate(field.NewPath("spec", "dependencies").Index(0).Child("name"), "dep"),
	}
	got := docs[0].Positions.Diagnostics("s.yaml", errs, Error)
	require.Equal(t, `s.yaml:15: spec.triggers[0].template.http.method: Required value
s.yaml:16: spec.triggers[0].template.http.url: must be an absolute URL
s.yaml:22: spec.triggers[0].retryStrategy.steps: Invalid value: 3
s.yaml:12: spec.triggers[0].template.name: Unsupported value: "t": supported values: "a", "b"
s.yaml:8: spec.dependencies[0].name: Duplicate value: "dep"
`, got.String())
	require.Equal(t, Diagnostic{
		File: "s.yaml", Line: 16, Column: 11, Path: "spec.triggers[0].template.http.url",
		Message: "must be an absolute URL", Severity: Error,
	}, got[1])
	require.Equal(t, Warning, docs[0].Positions.Diagnostics("s.yaml", errs[:1], Warning)[0].Severity)
}
