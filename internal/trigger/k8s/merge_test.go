package k8s

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMergeOverride(t *testing.T) {
	tests := []struct {
		name          string
		dst, src, out map[string]any
	}{
		{
			name: "maps merge key by key",
			dst:  map[string]any{"metadata": map[string]any{"labels": map[string]any{"a": "1", "b": "2"}}},
			src:  map[string]any{"metadata": map[string]any{"labels": map[string]any{"b": "3", "c": "4"}}},
			out:  map[string]any{"metadata": map[string]any{"labels": map[string]any{"a": "1", "b": "3", "c": "4"}}},
		},
		{
			name: "lists are replaced whole",
			dst:  map[string]any{"rules": []any{"old1", "old2"}},
			src:  map[string]any{"rules": []any{"new"}},
			out:  map[string]any{"rules": []any{"new"}},
		},
		{
			name: "an empty list keeps a non-empty one",
			dst:  map[string]any{"rules": []any{"old"}, "tls": []any{}},
			src:  map[string]any{"rules": []any{}, "tls": []any{}},
			out:  map[string]any{"rules": []any{"old"}, "tls": []any{}},
		},
		{
			name: "scalars are overwritten, also with zero values",
			dst:  map[string]any{"n": int64(1), "s": "x", "b": true},
			src:  map[string]any{"n": int64(0), "s": "", "b": false},
			out:  map[string]any{"n": int64(0), "s": "", "b": false},
		},
		{
			name: "a null clears",
			dst:  map[string]any{"spec": map[string]any{"x": "y"}},
			src:  map[string]any{"spec": nil},
			out:  map[string]any{"spec": nil},
		},
		{
			name: "a map replaces a scalar",
			dst:  map[string]any{"v": "scalar"},
			src:  map[string]any{"v": map[string]any{"k": "v"}},
			out:  map[string]any{"v": map[string]any{"k": "v"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mergeOverride(tc.dst, tc.src)
			require.Equal(t, tc.out, tc.dst)
		})
	}
}

func TestMergeCopiesSource(t *testing.T) {
	src := map[string]any{"list": []any{map[string]any{"k": "v"}}}
	dst := map[string]any{}
	mergeOverride(dst, src)
	dst["list"].([]any)[0].(map[string]any)["k"] = "changed"
	require.Equal(t, "v", src["list"].([]any)[0].(map[string]any)["k"])
}
