package ui_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/internal/ui"
)

// openAPIOperations returns "METHOD path" for each operation of
// openapi.yaml, sorted.
func openAPIOperations(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("openapi.yaml")
	require.NoError(t, err)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3."), doc.OpenAPI)
	var ops []string
	for path, methods := range doc.Paths {
		for m, op := range methods {
			require.NotEmpty(t, op["operationId"], "%s %s", m, path)
			require.NotEmpty(t, op["responses"], "%s %s", m, path)
			ops = append(ops, strings.ToUpper(m)+" "+path)
		}
	}
	slices.Sort(ops)
	return ops
}

// TestOpenAPIDocumentsTheAPI checks that the document names every endpoint
// of the UI's server: this package's and the event API's (internal/api).
// test/e2e/ui_test.go checks that each one answers on a running herald.
func TestOpenAPIDocumentsTheAPI(t *testing.T) {
	require.Equal(t, []string{
		"GET /api/v1/events",
		"GET /api/v1/events/stream",
		"GET /api/v1/events/{id}",
		"GET /api/v1/flow",
		"GET /api/v1/openapi.yaml",
		"POST /api/v1/events/{id}/replay",
	}, openAPIOperations(t))
}

// TestOpenAPIRefsResolve checks that every $ref names a component the
// document defines.
func TestOpenAPIRefsResolve(t *testing.T) {
	raw, err := os.ReadFile("openapi.yaml")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	var walk func(v any)
	refs := 0
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				refs++
				var at any = doc
				for _, k := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
					m, _ := at.(map[string]any)
					at = m[k]
				}
				require.NotNil(t, at, "%s does not resolve", ref)
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	require.Positive(t, refs)
}

// TestRegisteredPathsAnswer serves this package's documented paths and the
// page's assets.
func TestRegisteredPathsAnswer(t *testing.T) {
	mux := http.NewServeMux()
	ui.Register(mux, ui.Options{Objects: loadExample(t)})
	spec, err := os.ReadFile("openapi.yaml")
	require.NoError(t, err)
	tests := []struct {
		path, contentType, contains string
	}{
		{"/api/v1/flow", "application/json", `"kind":"eventsource"`},
		{"/api/v1/openapi.yaml", "application/yaml", string(spec)},
		{"/", "text/html", `<script type="module" src="app.js">`},
		{"/app.js", "text/javascript", "api/v1/flow"},
		{"/graph.js", "text/javascript", "export function draw"},
		{"/panel.js", "text/javascript", "api.js"},
		{"/api.js", "text/javascript", "Authorization"},
		{"/style.css", "text/css", "--failed"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, tc.path, nil))
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			require.Contains(t, rec.Header().Get("Content-Type"), tc.contentType)
			require.Contains(t, rec.Body.String(), tc.contains)
		})
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/api/v1/flow", nil))
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code, "the UI's routes are read-only")
}
