package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/testenv"
)

// hooksManifest is a webhook EventSource on port and a Sensor logging its
// events.
const hooksManifest = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: hooks
spec:
  webhook:
    push:
      port: "%d"
      endpoint: /push
      method: POST
---
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: printer
spec:
  dependencies:
    - name: d
      eventSourceName: hooks
      eventName: push
  triggers:
    - template:
        name: print
        log: {}
`

// TestRunWritesReadyFile: herald run --ready-file writes the process id
// once the process is ready: its webhook answers at that moment.
func TestRunWritesReadyFile(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none")) // no cluster
	dir := t.TempDir()
	port, err := testenv.FreePort()
	require.NoError(t, err)
	manifest := filepath.Join(dir, "hooks.yaml")
	require.NoError(t, os.WriteFile(manifest, fmt.Appendf(nil, hooksManifest, port), 0o600))
	readyFile := filepath.Join(dir, "herald.pid")

	cmd := newRunCommand()
	var logs bytes.Buffer
	cmd.SetErr(&logs)
	cmd.SetArgs([]string{
		"-f", manifest, "--data-dir", filepath.Join(dir, "data"), "--webhook-host", "127.0.0.1",
		"--metrics-addr", "", "--ui-addr", "", "--traces=false", "--ready-file", readyFile,
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		require.NoError(t, <-done, "herald run's logs:\n%s", &logs)
	}
	defer stop()

	require.Eventually(t, func() bool {
		_, err := os.Stat(readyFile)
		return err == nil
	}, 30*time.Second, 5*time.Millisecond, "the ready file was not written")
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/push", port), "application/json", strings.NewReader(`{}`))
	require.NoError(t, err, "the webhook answers once the ready file exists")
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	data, err := os.ReadFile(readyFile)
	require.NoError(t, err)
	require.Equal(t, strconv.Itoa(os.Getpid())+"\n", string(data))

	stop()
	_, err = os.Stat(readyFile)
	require.NoError(t, err, "the ready file is left at exit")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.ElementsMatch(t, []string{"data", "herald.pid", "hooks.yaml"}, names, "no temporary file is left")
}

func TestWriteReadyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ready")
	require.NoError(t, os.WriteFile(path, []byte("stale\n"), 0o600))
	require.NoError(t, writeReadyFile(path, 42))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "42\n", string(data), "replaced")

	missing := filepath.Join(dir, "missing", "ready")
	require.ErrorContains(t, writeReadyFile(missing, 42), "creating the ready file "+missing)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "nothing but the ready file")
}
