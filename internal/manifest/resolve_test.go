package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// errSyntax marks documents that yaml.v3 cannot parse.
var errSyntax = errors.New("YAML syntax")

// firstDocumentJSON converts the first document of data the way the loader
// does. It fails when any part of the document has no JSON form.
func firstDocumentJSON(data []byte) ([]byte, error) {
	var n yaml.Node
	err := callSafely(func() error { return yaml.NewDecoder(bytes.NewReader(data)).Decode(&n) })
	if errors.Is(err, io.EOF) {
		return []byte("null"), nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errSyntax, err)
	}
	v, err := convertDocument(&n)
	if err != nil {
		return nil, err
	}
	if msg := firstProblem(v); msg != "" {
		return nil, errors.New(msg)
	}
	return json.Marshal(v.toAny())
}

// firstProblem returns the first reason a value has no JSON form.
func firstProblem(v *value) string {
	if v.err != "" {
		return v.err
	}
	for _, m := range v.members {
		if m.err != "" {
			return m.err
		}
		if msg := firstProblem(m.value); msg != "" && !m.shadowed {
			return msg
		}
	}
	for _, item := range v.items {
		if msg := firstProblem(item); msg != "" {
			return msg
		}
	}
	return ""
}

// requireSameJSON checks that the loader and sigs.k8s.io/yaml agree on the
// JSON form of a YAML document, or both find none.
func requireSameJSON(t testing.TB, data []byte) {
	t.Helper()
	want, wantErr := sigsyaml.YAMLToJSON(data)
	got, gotErr := firstDocumentJSON(data)
	if wantErr != nil || gotErr != nil {
		require.Equal(t, wantErr != nil, gotErr != nil,
			"for %q: sigs.k8s.io/yaml says %v, the loader says %v", data, wantErr, gotErr)
		return
	}
	require.Equal(t, string(want), string(got), "for %q", data)
}

// requireSameJSONOrSyntax is requireSameJSON for random input, where the
// parsers of yaml.v2 and yaml.v3 disagree on what is valid YAML syntax. It
// still fails when the two accept the same syntax and convert it
// differently, or when one rejects a value the other converts.
func requireSameJSONOrSyntax(t testing.TB, data []byte) {
	t.Helper()
	want, wantErr := sigsyaml.YAMLToJSON(data)
	got, gotErr := firstDocumentJSON(data)
	if hasDuplicateKeys(data) {
		// Keys such as 1 and 1.0 both become "1"; sigs.k8s.io/yaml keeps
		// one of them at random, and the loader reports the duplicate.
		return
	}
	switch {
	case wantErr == nil && gotErr == nil:
		require.Equal(t, string(want), string(got), "for %q", data)
	case errors.Is(gotErr, errSyntax), wantErr != nil && gotErr != nil:
	case wantErr != nil && !conversionError(wantErr):
		// yaml.v2 rejects syntax that yaml.v3 accepts.
	default:
		t.Fatalf("for %q: sigs.k8s.io/yaml says %v, the loader says %v", data, wantErr, gotErr)
	}
}

// hasDuplicateKeys reports whether the first document of data has two keys
// with the same JSON form in one mapping.
func hasDuplicateKeys(data []byte) bool {
	var n yaml.Node
	if yaml.NewDecoder(bytes.NewReader(data)).Decode(&n) != nil {
		return false
	}
	v, err := convertDocument(&n)
	if err != nil {
		return false
	}
	var dup func(v *value) bool
	dup = func(v *value) bool {
		for _, m := range v.members {
			if m.firstLine > 0 || dup(m.value) {
				return true
			}
		}
		for _, item := range v.items {
			if dup(item) {
				return true
			}
		}
		return false
	}
	return dup(v)
}

// conversionError reports whether sigs.k8s.io/yaml failed on a value rather
// than on the YAML syntax.
func conversionError(err error) bool {
	msg := err.Error()
	for _, s := range []string{"cannot decode", "unsupported", "invalid map key", "map merge", "!!binary", "contains itself", "excessive aliasing"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// TestScalarsMatchSigsYAML checks scalar resolution against sigs.k8s.io/yaml
// (which kubectl and Argo's tooling use), as values and as keys.
func TestScalarsMatchSigsYAML(t *testing.T) {
	scalars := []string{
		"yes", "Yes", "YES", "no", "on", "Off", "y", "N", "true", "False", "TRUE",
		"~", "null", "NULL", "", "''", `""`, "'yes'", `"12"`,
		"0", "-0", "+1", "12", "-12", "0x1F", "0X1f", "017", "0o17", "0b101", "-0b101", "1_000", "0x_1F",
		"9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
		"-9223372036854775809", "1.0", "1.5", "-1.5", ".5", "-.5", "+.5", "1.", "1e3", "1E3", "1e+3", "1e-3",
		"1.5e3", "1e400", "-1e400", "0.1234567890123", "6.02e23", "1e21", "1e20", ".", "-", "+", ".e3", "1e",
		".nan", ".inf", "-.inf", "+.inf", ".Inf", ".NaN", "nan", "inf", "Infinity",
		"2024-01-02", "2024-01-02T03:04:05Z", "2024-1-2", "2024-01-02 03:04:05", "2024-13-45", "20240102",
		"1:30", "12:30:45", "0.0.1", "1.2.3", "v1", "0x", "0b", "0b2", "1__0",
		"!!str 12", "!!int '12'", "!!float 1", "!!float 1.5", "!!int 1.5", "!!bool yes", "!!bool 1",
		"!!null ~", "!!null x", "!!timestamp 2024-01-02", "!!timestamp x", "!!binary aGVsbG8=", "!!binary '!!'",
		"!custom 12", "!!map 12", "!!str", "<<", "'<<'",
		"|\n  block\n", ">\n  folded\n  text\n", "\"\\u00e9\\t\"", "'it''s'", "\"\\xff\"",
	}
	for _, s := range scalars {
		requireSameJSON(t, []byte("v: "+s+"\n"))
		if !strings.ContainsAny(s, "|>\n") {
			requireSameJSON(t, []byte(s+": v\n"))
			requireSameJSON(t, []byte("- "+s+"\n"))
		}
	}
}

// TestStructuresMatchSigsYAML covers merges, aliases and odd keys.
func TestStructuresMatchSigsYAML(t *testing.T) {
	docs := []string{
		"a: &x {b: 1}\nc: *x\n",
		"base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n",
		"base: &b {x: 1, y: 2}\nm:\n  y: 3\n  <<: *b\n",
		"a: &a {x: 1}\nb: &b {x: 2, z: 3}\nm:\n  <<: [*a, *b]\n",
		"m:\n  <<: {x: 1}\n  <<: {x: 2}\n",
		"m:\n  <<: [1]\n",
		"m:\n  <<: []\n",
		"m:\n  <<:\n    <<:\n",
		"l: &l [{a: 1}]\nm:\n  <<: *l\n",
		"m:\n  <<: 1\n",
		"m:\n  '<<': {x: 1}\n",
		"m:\n  !!merge <<: {x: 1}\n",
		"a: 1\na: 2\n",
		"? [a]\n: 1\n",
		"? {a: 1}\n: 1\n",
		"~: 1\n",
		"1.5: x\n0.1234567890123: y\n",
		"s: &s yes\nt: *s\n",
		"&k key: 1\n*k : 2\n",
		"[1, [2, {a: b}], {c: [d]}]\n",
		"a: !!str\nb: !!null\n",
		"--- |\n  text\n",
		"--- 12\n",
		"a: b\n---\nc: d\n",
		"a:\n  - &i {x: 1}\n  - *i\n",
	}
	for _, d := range docs {
		requireSameJSON(t, []byte(d))
	}
}

// TestFixturesMatchSigsYAML runs the agreement check on every single-document
// fixture and, when present, on Argo Events' example manifests.
func TestFixturesMatchSigsYAML(t *testing.T) {
	roots := []string{"testdata"}
	if corpus := argoCorpus(); corpus != "" {
		roots = append(roots, corpus)
	}
	n := 0
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !hasManifestExt(path) {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			n++
			requireSameJSON(t, data)
			return nil
		})
		require.NoError(t, err)
	}
	require.Positive(t, n)
}

// argoCorpus returns the directory of Argo Events' example manifests, from
// $HERALD_ARGO_COMPAT or next to the repository, or "" when absent.
func argoCorpus() string {
	for _, dir := range []string{os.Getenv("HERALD_ARGO_COMPAT"), "../../../shared/argo-compat"} {
		if dir == "" {
			continue
		}
		if info, err := os.Stat(dir); err == nil && info.IsDir() {
			return dir
		}
	}
	return ""
}
