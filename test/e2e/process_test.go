package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/testenv"
	"github.com/herald-dev/herald/internal/testenv/heraldproc"
)

// startHerald starts `herald args...` (heraldproc.Start); the test's
// cleanup kills it if it is still running.
func startHerald(t testing.TB, args ...string) *heraldproc.Process {
	t.Helper()
	return heraldproc.Start(t, heraldBin, args...)
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
