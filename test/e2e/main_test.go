// Package e2e runs the built herald binary as a process against real servers.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/herald-dev/herald/internal/testenv"
)

// heraldBin is the binary under test: $HERALD_BIN (set by `make test`), or
// one built into a temporary folder for this run.
var heraldBin string

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	heraldBin = os.Getenv("HERALD_BIN")
	if heraldBin == "" {
		root, err := testenv.RepoRoot()
		if err != nil {
			return 0, err
		}
		dir, err := os.MkdirTemp("", "herald-e2e-")
		if err != nil {
			return 0, fmt.Errorf("creating a folder for the binary: %w", err)
		}
		defer os.RemoveAll(dir)
		heraldBin = filepath.Join(dir, "herald")
		cmd := exec.Command("go", "build", "-o", heraldBin, "./cmd/herald")
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("building herald: %w", err)
		}
	}
	return m.Run(), nil
}
