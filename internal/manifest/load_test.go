package manifest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/golden"
)

// TestLoadCases loads each fixture in testdata/cases and compares what it
// reports, and what it loads, with the fixture's .golden file. A first line
// "# test: strict max=64" sets options for the fixture.
func TestLoadCases(t *testing.T) {
	paths, err := filepath.Glob("testdata/cases/*")
	require.NoError(t, err)
	var n int
	for _, path := range paths {
		if strings.HasSuffix(path, ".golden") {
			continue
		}
		n++
		t.Run(filepath.Base(path), func(t *testing.T) {
			opts := fixtureOptions(t, path)
			docs, diags, err := Load([]string{path}, opts)
			require.NoError(t, err)
			checkGolden(t, path+".golden", render(docs, diags))
		})
	}
	require.Positive(t, n, "no fixtures found")
}

// TestLoadDirectory loads a directory tree: recursive, sorted, hidden
// entries and other extensions skipped, an empty file only a warning.
func TestLoadDirectory(t *testing.T) {
	docs, diags, err := Load([]string{"testdata/tree"}, Options{Kinds: testKinds()})
	require.NoError(t, err)
	checkGolden(t, "testdata/tree.golden", render(docs, diags))
}

func TestLoadPathsReadOnce(t *testing.T) {
	paths := []string{"testdata/tree/a.yaml", "testdata/tree", "./testdata/tree/a.yaml", "testdata/missing.yaml"}
	docs, diags, err := Load(paths, Options{Kinds: testKinds()})
	require.NoError(t, err)
	var files []string
	for _, d := range docs {
		files = append(files, d.File)
	}
	require.Equal(t, []string{"testdata/tree/a.yaml", "testdata/tree/b/c.yml", "testdata/tree/b/d.json"}, files)
	require.Contains(t, diags.Errors().String(), "testdata/missing.yaml: reading manifest: no such file or directory\n")
}

func TestLoadInvalidOptions(t *testing.T) {
	for name, kinds := range map[string]Kinds{
		"none":           nil,
		"no constructor": {{Group: "g", Kind: "K", Versions: []string{"v1"}}},
		"no versions":    {{Group: "g", Kind: "K", New: func() any { return &testSensor{} }}},
		"not a pointer":  {{Group: "g", Kind: "K", Versions: []string{"v1"}, New: func() any { return testSensor{} }}},
		"twice": {
			{Group: "g", Kind: "K", Versions: []string{"v1"}, New: func() any { return &testSensor{} }},
			{Group: "g", Kind: "K", Versions: []string{"v2"}, New: func() any { return &testSensor{} }},
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := Load([]string{"testdata/tree"}, Options{Kinds: kinds})
			require.ErrorIs(t, err, ErrInvalidOptions)
			_, _, err = LoadBytes("x.yaml", nil, Options{Kinds: kinds})
			require.ErrorIs(t, err, ErrInvalidOptions)
		})
	}
}

func TestLoadBytesSizeLimit(t *testing.T) {
	_, diags, err := LoadBytes("big.yaml", make([]byte, 100), Options{Kinds: testKinds(), MaxFileSize: 10})
	require.NoError(t, err)
	require.Equal(t, "big.yaml: file is too large: 100 bytes, the limit is 10\n", diags.String())
}

// fixtureOptions reads the "# test:" directive on a fixture's first line.
func fixtureOptions(t *testing.T, path string) Options {
	t.Helper()
	opts := Options{Kinds: testKinds()}
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return opts
	}
	directive, ok := strings.CutPrefix(sc.Text(), "# test:")
	if !ok {
		return opts
	}
	for _, word := range strings.Fields(directive) {
		switch {
		case word == "strict":
			opts.Strict = true
		case strings.HasPrefix(word, "max="):
			opts.MaxFileSize, err = strconv.ParseInt(strings.TrimPrefix(word, "max="), 10, 64)
			require.NoError(t, err)
		default:
			t.Fatalf("unknown test directive %q", word)
		}
	}
	return opts
}

// render prints diagnostics and loaded documents for golden comparison.
func render(docs []Document, diags Diagnostics) string {
	var b strings.Builder
	b.WriteString("# diagnostics\n")
	b.WriteString(diags.String())
	b.WriteString("# documents\n")
	for _, d := range docs {
		fmt.Fprintf(&b, "%s:%d: [%d] %s %s %s/%s (%d positions)\n  %s\n",
			d.File, d.Line, d.Index, d.APIVersion, d.Kind, d.Namespace, d.Name, d.Positions.Len(), d.Raw)
	}
	return b.String()
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if golden.Update() {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create the golden file")
	require.Equal(t, string(want), got)
}

func TestLoadSymlinkedDirectory(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real")
	require.NoError(t, os.MkdirAll(filepath.Join(target, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(target, "sub", "bus.yaml"),
		[]byte("apiVersion: argoproj.io/v1alpha1\nkind: EventBus\nmetadata: {name: b}\n"), 0o644))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(target, link))
	require.NoError(t, os.Symlink(filepath.Join(target, "sub"), filepath.Join(target, "loop")))

	docs, diags, err := Load([]string{link}, Options{Kinds: testKinds()})
	require.NoError(t, err)
	require.Empty(t, diags)
	require.Len(t, docs, 1, "links inside the tree are not followed")
	require.Equal(t, filepath.Join(link, "sub", "bus.yaml"), docs[0].File)
}
