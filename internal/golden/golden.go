// Package golden compares test output with golden files under testdata and
// rewrites them when tests run with -update. Every package's tests share the
// one -update flag it defines.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata from the current results")

// Update reports whether the test run asked for golden files to be rewritten.
func Update() bool { return *update }

// Check compares got with the golden file at path, or writes got there under
// -update.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing: run the test with -update to create it")
	require.Equal(t, string(want), string(got), "golden file %s differs; run the test with -update if the change is intended", path)
}
