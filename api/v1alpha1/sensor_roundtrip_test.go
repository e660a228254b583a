package v1alpha1_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// TestSensorEventBusRoundTripExact decodes the reference scenario's Sensor and
// Argo's example EventBus into the Go types, encodes them back and requires the
// JSON to equal the original document exactly (nothing ignored).
func TestSensorEventBusRoundTripExact(t *testing.T) {
	shared := snSharedDir(t)
	files := []string{filepath.Join(shared, "scenarios", "auto-ingress", "ingress-sn.yaml")}
	buses, err := filepath.Glob(filepath.Join(shared, "argo-compat", "examples", "eventbus", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, buses)
	files = append(files, buses...)

	for _, file := range files {
		for i, doc := range readDocuments(t, file) {
			t.Run(filepath.Base(file)+"#"+strconv.Itoa(i), func(t *testing.T) {
				want, err := yaml.YAMLToJSON(doc)
				require.NoError(t, err)
				got := snEncode(t, doc)
				require.JSONEq(t, string(want), string(got))
			})
		}
	}
}

// TestSensorCorpusDecodesStrictly decodes every Sensor of the Argo
// compatibility corpus with unknown fields forbidden. Only the keys INDEX.md
// lists as misplaced may be reported, so a field missing from the Go types
// shows up here.
func TestSensorCorpusDecodesStrictly(t *testing.T) {
	corpus := filepath.Join(snSharedDir(t), "argo-compat")
	// Keys INDEX.md lists as unknown to Argo's Go types.
	misplaced := map[string]string{
		"e2e-testdata/sensor-multi-sensor-2-atleastonce.yaml":       `"atLeastOnce"`,
		"e2e-testdata/sensor-multi-sensor-atleastonce.yaml":         `"atLeastOnce"`,
		"examples/sensors/trigger-with-atleast-once-semantics.yaml": `"atLeastOnce"`,
		"examples/sensors/trigger-with-policy.yaml":                 `"policy"`,
	}
	seen := 0
	for _, rel := range snCorpusFiles(t, corpus) {
		for i, doc := range readDocuments(t, filepath.Join(corpus, rel)) {
			if kind := snKind(t, doc); kind != "Sensor" && kind != "EventBus" {
				continue
			}
			seen++
			t.Run(rel+"#"+strconv.Itoa(i), func(t *testing.T) {
				var obj any = &v1alpha1.Sensor{}
				if snKind(t, doc) == "EventBus" {
					obj = &v1alpha1.EventBus{}
				}
				err := yaml.UnmarshalStrict(doc, obj)
				if key, ok := misplaced[rel]; ok {
					require.ErrorContains(t, err, "unknown field "+key)
					return
				}
				require.NoError(t, err)
			})
		}
	}
	// 79 example sensors (one file holds a second, non-Sensor document),
	// 20 e2e sensors, 1 EventBus.
	require.Equal(t, 100, seen)
}

// TestSensorCorpusRoundTrip decodes every Sensor of the corpus, encodes it back
// and compares it with the original. Differences allowed: keys INDEX.md lists
// as misplaced or case-mismatched, and keys on one side only whose value is a
// zero value (Argo's tags without omitempty write such keys, and omitempty
// drops explicit zero values; neither changes meaning).
func TestSensorCorpusRoundTrip(t *testing.T) {
	corpus := filepath.Join(snSharedDir(t), "argo-compat")
	ignore := map[string][]string{
		"e2e-testdata/sensor-multi-sensor-2-atleastonce.yaml":       {"atLeastOnce"},
		"e2e-testdata/sensor-multi-sensor-atleastonce.yaml":         {"atLeastOnce"},
		"examples/sensors/trigger-with-atleast-once-semantics.yaml": {"atLeastOnce"},
		"examples/sensors/trigger-with-policy.yaml":                 {"policy"},
		"examples/sensors/trigger-openwhisk.yaml":                   {"openwhisk", "openWhisk"},
		"examples/sensors/url-sensor.yaml":                          {"verifycert", "verifyCert"},
	}
	for _, rel := range snCorpusFiles(t, corpus) {
		for i, doc := range readDocuments(t, filepath.Join(corpus, rel)) {
			if snKind(t, doc) != "Sensor" {
				continue
			}
			t.Run(rel+"#"+strconv.Itoa(i), func(t *testing.T) {
				var want, got any
				wantJSON, err := yaml.YAMLToJSON(doc)
				require.NoError(t, err)
				require.NoError(t, json.Unmarshal(wantJSON, &want))
				require.NoError(t, json.Unmarshal(snEncode(t, doc), &got))
				for _, key := range ignore[rel] {
					snDropKey(want, key)
					snDropKey(got, key)
				}
				want, got = snPruneOneSidedZeros(want, got)
				require.Equal(t, want, got)
			})
		}
	}
}

// snEncode decodes one Sensor or EventBus document and encodes it as JSON.
func snEncode(t *testing.T, doc []byte) []byte {
	t.Helper()
	var obj any
	switch kind := snKind(t, doc); kind {
	case "Sensor":
		obj = &v1alpha1.Sensor{}
	case "EventBus":
		obj = &v1alpha1.EventBus{}
	default:
		require.FailNow(t, "unexpected kind "+kind)
	}
	require.NoError(t, yaml.Unmarshal(doc, obj))
	out, err := json.Marshal(obj)
	require.NoError(t, err)
	return out
}

// snKind returns the kind of a YAML document.
func snKind(t *testing.T, doc []byte) string {
	t.Helper()
	var head struct {
		Kind string `json:"kind"`
	}
	require.NoError(t, yaml.Unmarshal(doc, &head))
	return head.Kind
}

// snSharedDir walks up from the working directory to the first folder holding
// shared/argo-compat and returns that shared/ folder.
func snSharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		shared := filepath.Join(dir, "shared")
		if _, err := os.Stat(filepath.Join(shared, "argo-compat", "INDEX.md")); err == nil {
			return shared
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "shared/argo-compat not found above the test directory")
		dir = parent
	}
}

// snCorpusFiles lists the corpus files that may hold Sensors or EventBuses,
// relative to the corpus folder.
func snCorpusFiles(t *testing.T, corpus string) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"examples/sensors/*.y*ml", "examples/eventbus/*.yaml", "e2e-testdata/sensor-*.yaml"} {
		matches, err := filepath.Glob(filepath.Join(corpus, pattern))
		require.NoError(t, err)
		for _, m := range matches {
			rel, err := filepath.Rel(corpus, m)
			require.NoError(t, err)
			files = append(files, filepath.ToSlash(rel))
		}
	}
	require.NotEmpty(t, files)
	return files
}

// snDropKey removes every object key named key, at any depth.
func snDropKey(v any, key string) {
	switch v := v.(type) {
	case map[string]any:
		delete(v, key)
		for _, child := range v {
			snDropKey(child, key)
		}
	case []any:
		for _, child := range v {
			snDropKey(child, key)
		}
	}
}

// snPruneOneSidedZeros removes, at any depth, object keys present on one side
// only whose value is a zero value, and returns both sides.
func snPruneOneSidedZeros(a, b any) (any, any) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		for key, av := range am {
			bv, found := bm[key]
			if !found {
				if snIsZero(av) {
					delete(am, key)
				}
				continue
			}
			am[key], bm[key] = snPruneOneSidedZeros(av, bv)
		}
		for key, bv := range bm {
			if _, found := am[key]; !found && snIsZero(bv) {
				delete(bm, key)
			}
		}
		return am, bm
	}
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok && len(as) == len(bs) {
		for i := range as {
			as[i], bs[i] = snPruneOneSidedZeros(as[i], bs[i])
		}
	}
	return a, b
}

// snIsZero reports whether a decoded JSON value is "", 0, false, null, {} or [].
func snIsZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case float64:
		return v == 0
	case bool:
		return !v
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}
