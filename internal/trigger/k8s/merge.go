package k8s

import "k8s.io/apimachinery/pkg/runtime"

// mergeOverride merges src into dst the way Argo's update operation does
// (mergo.Merge with WithOverride): maps present on both sides are merged key
// by key; any other value of src replaces dst's, except an empty list or
// map, which leaves a non-empty one of dst in place.
func mergeOverride(dst, src map[string]any) {
	for k, sv := range src {
		dv, exists := dst[k]
		switch s := sv.(type) {
		case map[string]any:
			if d, ok := dv.(map[string]any); ok {
				mergeOverride(d, s)
				continue
			}
			if len(s) == 0 && exists && !isEmpty(dv) {
				continue
			}
		case []any:
			if len(s) == 0 && exists && !isEmpty(dv) {
				continue
			}
		}
		dst[k] = runtime.DeepCopyJSONValue(sv)
	}
}

// isEmpty reports whether v is the zero value of its JSON type.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	case string:
		return x == ""
	case bool:
		return !x
	case int64:
		return x == 0
	case float64:
		return x == 0
	}
	return false
}
