package v1alpha1_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// TestEventSourceRoundTrip decodes every EventSource of the Argo
// compatibility corpus (and of the auto-ingress scenario) into the Go types,
// encodes it back to JSON and checks that nothing was lost or changed.
//
// Two kinds of difference are tolerated:
//   - keys that INDEX.md lists as quirks (unknown fields Argo ignores, keys
//     that differ in case from the JSON tag);
//   - keys present on one side only whose value is a zero value ("", 0,
//     false, null, {} or []): Argo's tags without omitempty emit such keys,
//     and omitempty drops explicit zero values, without changing meaning.
func TestEventSourceRoundTrip(t *testing.T) {
	shared := findSharedDir(t)
	corpus := filepath.Join(shared, "argo-compat")
	quirks := readQuirks(t, filepath.Join(corpus, "INDEX.md"))

	var files []string
	for _, pattern := range []string{"examples/event-sources/*.yaml", "e2e-testdata/*.yaml"} {
		matches, err := filepath.Glob(filepath.Join(corpus, pattern))
		require.NoError(t, err)
		files = append(files, matches...)
	}
	files = append(files, filepath.Join(shared, "scenarios", "auto-ingress", "ingress-es.yaml"))

	seen := 0
	for _, file := range files {
		rel, err := filepath.Rel(corpus, file)
		require.NoError(t, err)
		rel = filepath.ToSlash(rel)
		for i, doc := range readDocuments(t, file) {
			original := map[string]any{}
			require.NoError(t, yaml.Unmarshal(doc, &original), "%s: document %d", rel, i)
			if original["kind"] != "EventSource" {
				continue
			}
			seen++
			t.Run(rel+"#"+strconv.Itoa(i), func(t *testing.T) {
				var es v1alpha1.EventSource
				require.NoError(t, yaml.Unmarshal(doc, &es))
				encoded, err := json.Marshal(&es)
				require.NoError(t, err)
				got := map[string]any{}
				require.NoError(t, json.Unmarshal(encoded, &got))

				for _, path := range quirks[rel] {
					deletePath(original, path, false)
					deletePath(got, path, true)
				}
				want, have := pruneOneSidedZeros(original, got)
				require.Equal(t, want, have)
			})
		}
	}
	// 31 examples, 12 e2e files, 1 scenario file.
	require.GreaterOrEqual(t, seen, 44, "too few EventSource documents found")
}

// TestSourceKindsMatchSpec checks that SourceKinds and EventNames cover
// exactly the map fields of EventSourceSpec, in declaration order.
func TestSourceKindsMatchSpec(t *testing.T) {
	var spec v1alpha1.EventSourceSpec
	v := reflect.ValueOf(&spec).Elem()
	var kinds []string
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.Type.Kind() != reflect.Map {
			continue
		}
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		kinds = append(kinds, name)
		m := reflect.MakeMap(f.Type)
		m.SetMapIndex(reflect.ValueOf("b-"+name), reflect.New(f.Type.Elem()).Elem())
		m.SetMapIndex(reflect.ValueOf("a-"+name), reflect.New(f.Type.Elem()).Elem())
		v.Field(i).Set(m)
	}
	require.Equal(t, kinds, v1alpha1.SourceKinds)

	names := spec.EventNames()
	require.Len(t, names, len(kinds))
	for _, kind := range kinds {
		require.Equal(t, []string{"a-" + kind, "b-" + kind}, names[kind], kind)
	}
}

func TestEventNames(t *testing.T) {
	tests := []struct {
		name string
		spec v1alpha1.EventSourceSpec
		want map[string][]string
	}{
		{name: "empty", want: map[string][]string{}},
		{
			name: "two kinds",
			spec: v1alpha1.EventSourceSpec{
				Webhook:  map[string]v1alpha1.WebhookEventSource{"z": {}, "a": {}, "m": {}},
				Calendar: map[string]v1alpha1.CalendarEventSource{"tick": {}},
				Kafka:    map[string]v1alpha1.KafkaEventSource{},
			},
			want: map[string][]string{"webhook": {"a", "m", "z"}, "calendar": {"tick"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.spec.EventNames())
		})
	}
}

// findSharedDir walks up from the working directory to the first directory
// holding shared/argo-compat and returns its shared/ folder.
func findSharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		candidate := filepath.Join(dir, "shared")
		if _, err := os.Stat(filepath.Join(candidate, "argo-compat", "INDEX.md")); err == nil {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			require.FailNow(t, "shared/argo-compat not found above the test directory")
		}
		dir = parent
	}
}

// quirkLine matches a compatibility note such as
// "* `examples/event-sources/stripe.yaml`: `spec.stripe.example.namespace` (...)".
var quirkLine = regexp.MustCompile("^\\* `([^`]+)`: `([^`]+)` \\(")

// readQuirks returns, per corpus file, the key paths INDEX.md lists as
// unknown fields or case mismatches.
func readQuirks(t *testing.T, index string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(index)
	require.NoError(t, err)
	text := string(data)
	start := strings.Index(text, "## Compatibility notes")
	end := strings.Index(text, "**Fields the generated schema")
	require.True(t, start >= 0 && end > start, "INDEX.md has no compatibility notes")
	quirks := map[string][]string{}
	for _, line := range strings.Split(text[start:end], "\n") {
		if m := quirkLine.FindStringSubmatch(line); m != nil {
			quirks[m[1]] = append(quirks[m[1]], m[2])
		}
	}
	require.NotEmpty(t, quirks)
	return quirks
}

// readDocuments splits a YAML file into its non-empty documents.
func readDocuments(t *testing.T, file string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs
		}
		require.NoError(t, err, file)
		if len(bytes.TrimSpace(doc)) > 0 && strings.TrimSpace(string(doc)) != "---" {
			docs = append(docs, doc)
		}
	}
}

// deletePath removes the key at a dotted path such as
// "spec.triggers[0].template.atLeastOnce". With fold, the last key is
// matched case-insensitively, as encoding/json binds it.
func deletePath(root map[string]any, path string, fold bool) {
	parts := strings.Split(path, ".")
	var cur any = root
	for i, part := range parts {
		key, index := part, -1
		if open := strings.Index(part, "["); open >= 0 && strings.HasSuffix(part, "]") {
			key = part[:open]
			index, _ = strconv.Atoi(part[open+1 : len(part)-1])
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return
		}
		if i == len(parts)-1 && index < 0 {
			for k := range m {
				if k == key || (fold && strings.EqualFold(k, key)) {
					delete(m, k)
				}
			}
			return
		}
		cur = m[key]
		if index >= 0 {
			list, ok := cur.([]any)
			if !ok || index >= len(list) {
				return
			}
			cur = list[index]
		}
	}
}

// pruneOneSidedZeros returns copies of a and b without the map keys that
// only one side has and whose value there is a zero value.
func pruneOneSidedZeros(a, b any) (any, any) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return a, b
		}
		outA, outB := map[string]any{}, map[string]any{}
		for _, k := range unionKeys(av, bv) {
			x, inA := av[k]
			y, inB := bv[k]
			switch {
			case inA && inB:
				outA[k], outB[k] = pruneOneSidedZeros(x, y)
			case inA && !isZero(x):
				outA[k] = x
			case inB && !isZero(y):
				outB[k] = y
			}
		}
		return outA, outB
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return a, b
		}
		outA, outB := make([]any, len(av)), make([]any, len(bv))
		for i := range av {
			outA[i], outB[i] = pruneOneSidedZeros(av[i], bv[i])
		}
		return outA, outB
	default:
		return a, b
	}
}

func unionKeys(a, b map[string]any) []string {
	set := map[string]struct{}{}
	for k := range a {
		set[k] = struct{}{}
	}
	for k := range b {
		set[k] = struct{}{}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// isZero reports whether a decoded JSON value is null, "", 0, false, or an
// empty object or array.
func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case float64:
		return x == 0
	case bool:
		return !x
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	default:
		return false
	}
}
