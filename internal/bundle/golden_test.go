package bundle

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	goldenfile "github.com/herald-dev/herald/internal/golden"
)

// checkGolden compares got with the golden file at path (-update rewrites it).
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	goldenfile.Check(t, path, []byte(got))
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
