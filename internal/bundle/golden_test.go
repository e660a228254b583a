package bundle

import (
	"bufio"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// checkGolden compares got with the golden file at path, or rewrites the
// file when the test runs with -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/bundle/ -update to create the golden file")
	require.Equal(t, string(want), got, "golden file %s differs; run go test ./internal/bundle/ -update if the change is intended", path)
}

// fixtureOptions reads the "# test:" directive a fixture may have on its
// first line: "strict" sets Options.Strict, "unique-names" sets
// Options.UniqueNames.
func fixtureOptions(t *testing.T, path string) Options {
	t.Helper()
	var opts Options
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
		switch word {
		case "strict":
			opts.Strict = true
		case "unique-names":
			opts.UniqueNames = true
		default:
			t.Fatalf("%s: unknown test directive %q", path, word)
		}
	}
	return opts
}
