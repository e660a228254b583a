// Package fault injects faults into a running herald binary (SIGKILL, a
// restarted API server or JetStream server, a trigger target that is down
// or slow, a flood of requests) and checks that nothing accepted is lost.
//
// Each test has a short version, run by `make test`, and a long one with
// the sizes of issue #10, run by `make test-soak` (HERALD_SOAK=1).
package fault

import (
	"fmt"
	"os"
	"testing"

	"github.com/herald-dev/herald/internal/testenv/heraldproc"
)

// heraldBin is the binary under test: $HERALD_BIN, or one built for this run.
var heraldBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "herald-fault-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	heraldBin, err = heraldproc.Binary(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// soak reports whether the long versions run (HERALD_SOAK=1).
func soak() bool { return os.Getenv("HERALD_SOAK") == "1" }

// sized returns short, or long under HERALD_SOAK=1.
func sized[T any](short, long T) T {
	if soak() {
		return long
	}
	return short
}
