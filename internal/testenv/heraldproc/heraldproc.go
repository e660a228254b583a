// Package heraldproc runs the herald binary as a child process for
// end-to-end and fault tests: it finds (or builds) the binary, starts it,
// kills it as a crash would, or stops it as an operator would.
package heraldproc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/testenv"
)

// BinEnv names the variable holding the path of the binary under test
// (`make test` sets it).
const BinEnv = "HERALD_BIN"

// Binary returns $HERALD_BIN, or builds ./cmd/herald into dir and returns
// that path.
func Binary(dir string) (string, error) {
	if bin := os.Getenv(BinEnv); bin != "" {
		return bin, nil
	}
	root, err := testenv.RepoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "herald")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/herald")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building herald: %w", err)
	}
	return bin, nil
}

// Process is a running herald.
type Process struct {
	cmd  *exec.Cmd
	out  *testenv.Buffer
	done chan struct{}
}

// Start starts `bin args...`; the test's cleanup kills it if it is still
// running and prints its output when the test failed. The process dies with
// the test binary (SIGKILL on parent death).
func Start(tb testing.TB, bin string, args ...string) *Process {
	tb.Helper()
	p := &Process{cmd: exec.Command(bin, args...), out: &testenv.Buffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(tb, p.cmd.Start())
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	tb.Cleanup(func() {
		p.Kill()
		if tb.Failed() {
			tb.Logf("herald %v output:\n%s", args, p.out.String())
		}
	})
	return p
}

// PID is the process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Done is closed once the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// ExitCode is the process's exit code once it has exited (see Done), -1
// before or when a signal ended it.
func (p *Process) ExitCode() int {
	if !p.Exited() {
		return -1
	}
	return p.cmd.ProcessState.ExitCode()
}

// Output is what the process wrote to stdout and stderr so far.
func (p *Process) Output() string { return p.out.String() }

// Kill stops the process at once with SIGKILL, as a crash would, and waits
// for it to be gone.
func (p *Process) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Stop asks the process to shut down (SIGTERM) and waits up to 30s for it.
func (p *Process) Stop(tb testing.TB) {
	tb.Helper()
	require.NoError(tb, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		tb.Fatalf("herald did not stop within 30s:\n%s", p.out.String())
	}
}
