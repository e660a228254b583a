package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/testenv"
)

// process is a running herald.
type process struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// syncBuffer collects a process's output for failure messages.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startHerald starts `herald args...`; the test's cleanup kills it if it is
// still running.
func startHerald(t testing.TB, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(heraldBin, args...), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, p.cmd.Start())
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("herald %v output:\n%s", args, p.out.String())
		}
	})
	return p
}

// kill stops the process at once, as a crash would.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks the process to shut down and waits for it.
func (p *process) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("herald did not stop within 30s:\n%s", p.out.String())
	}
}

// freePort returns a loopback TCP port nobody listens on now, outside the
// kernel's ephemeral range (testenv.FreePort).
func freePort(t testing.TB) int {
	t.Helper()
	port, err := testenv.FreePort()
	require.NoError(t, err)
	return port
}

// writeFile writes a file into dir and returns its path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func webhookEventSource(name string, port int) string {
	return fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: %s
spec:
  webhook:
    example:
      port: "%d"
      endpoint: /example
      method: POST
`, name, port)
}

// notifySensor is a Sensor on webhookEventSource("hooks", ...) that takes
// the events whose body.kind is "hello" and fires a log trigger, then the
// triggers given (YAML list items indented under triggers).
func notifySensor(moreTriggers string) string {
	return `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: notify
spec:
  dependencies:
    - name: greeting
      eventSourceName: hooks
      eventName: example
      filters:
        data:
          - path: body.kind
            type: string
            value: ["hello"]
  triggers:
    - template:
        name: log-it
        log: {}
` + moreTriggers
}
