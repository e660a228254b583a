package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestRunRefusesInvalidManifests: nothing starts when one manifest is
// invalid, and the messages are lint's.
func TestRunRefusesInvalidManifests(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	writeFile(t, dir, "good.yaml", webhookEventSource("good", port))
	writeFile(t, dir, "bad.yaml", `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: bad
spec:
  calendar:
    daily:
      schedule: "61 * * * *"
`)
	p := startHerald(t, "run", "-f", dir, "--data-dir", filepath.Join(dir, "data"), "--metrics-addr", "")
	select {
	case <-p.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("herald run kept running with an invalid manifest")
	}
	require.Equal(t, 1, p.ExitCode())
	out := p.Output()
	require.Contains(t, out, "bad.yaml:8: spec.calendar[daily].schedule:")
	require.Contains(t, out, "nothing was started")
	_, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health", port))
	require.Error(t, err, "the valid webhook did not start either")
}

// TestRunWebhookAuthFromSecretFiles runs a webhook with a bearer token read
// from --secrets-dir, without any cluster.
func TestRunWebhookAuthFromSecretFiles(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "secrets", "webhook-token"), 0o700))
	writeFile(t, filepath.Join(dir, "secrets", "webhook-token"), "token", "s3cret\n")
	manifest := writeFile(t, dir, "es.yaml", webhookEventSource("auth", port)+`      authSecret:
        name: webhook-token
        key: token
`)
	startHerald(t, "run", "-f", manifest, "--data-dir", filepath.Join(dir, "data"), "--secrets-dir", filepath.Join(dir, "secrets"),
		"--webhook-host", "127.0.0.1", "--metrics-addr", "", "--kubeconfig", "")
	url := fmt.Sprintf("http://127.0.0.1:%d/example", port)
	post := func(token string) int {
		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"x":1}`))
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	require.Eventually(t, func() bool { return post("s3cret") == http.StatusOK }, 30*time.Second, 50*time.Millisecond)
	require.Equal(t, http.StatusUnauthorized, post(""))
	require.Equal(t, http.StatusUnauthorized, post("wrong"))
}
