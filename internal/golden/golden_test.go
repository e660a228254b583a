package golden

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckMatchesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.golden")
	require.NoError(t, os.WriteFile(path, []byte("same\n"), 0o644))
	Check(t, path, []byte("same\n"))
}
