package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	slacktrigger "github.com/herald-dev/herald/internal/trigger/slack"
)

// TestSlackTriggerSurvivesRestart runs herald (no cluster: the token comes
// from --secrets-dir) with a Sensor whose slack trigger posts to a local
// Slack stand-in, found through HERALD_SLACK_API_URL. Slack first answers
// with errors (a 500, then ratelimited): the event stays unacknowledged;
// herald is killed and started again, Slack recovers, and the message is
// posted once, with the token, from the redelivered event. The token never
// shows in herald's output.
func TestSlackTriggerSurvivesRestart(t *testing.T) {
	const token = "xoxb-e2e-token-never-logged"
	var (
		mu      sync.Mutex
		posted  []map[string]any
		healthy atomic.Bool
		failed  atomic.Int64
	)
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path != "/api/chat.postMessage" || r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if !healthy.Load() {
			if failed.Add(1)%2 == 1 {
				http.Error(w, "down", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Retry-After", "1")
			_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
			return
		}
		var msg map[string]any
		if err := json.Unmarshal(body, &msg); err != nil {
			http.Error(w, "not JSON", http.StatusBadRequest)
			return
		}
		mu.Lock()
		posted = append(posted, msg)
		mu.Unlock()
		_, _ = io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1700000000.000100"}`)
	}))
	t.Cleanup(slack.Close)
	t.Setenv(slacktrigger.EnvBaseURL, slack.URL+"/api/")

	dir := t.TempDir()
	port := freePort(t)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "secrets", "slack-secret"), 0o700))
	writeFile(t, filepath.Join(dir, "secrets", "slack-secret"), "token", token+"\n")
	es := writeFile(t, dir, "es.yaml", webhookEventSource("hooks", port))
	sensor := writeFile(t, dir, "sensor.yaml", notifySensor(`    - parameters:
        - src: {dependencyName: greeting, dataKey: body.channel}
          dest: slack.channel
      template:
        name: slack-it
        slack:
          slackToken: {name: slack-secret, key: token}
          channel: general
          message: hello world
          parameters:
            - src: {dependencyName: greeting, dataKey: body.text}
              dest: message
      retryStrategy: {steps: 2, duration: 10ms}
`))
	args := []string{
		"run", "-f", es, "-f", sensor, "--data-dir", filepath.Join(dir, "data"), "--secrets-dir", filepath.Join(dir, "secrets"),
		"--webhook-host", "127.0.0.1", "--metrics-addr", "", "--ui-addr", "", "--kubeconfig", "", "--log-level", "debug",
	}
	herald := startHerald(t, args...)
	url := fmt.Sprintf("http://127.0.0.1:%d/example", port)
	require.Eventually(t, func() bool {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{"kind":"hello","channel":"#deploys","text":"v1.2 is out"}`))
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond)

	require.Eventually(t, func() bool { return failed.Load() >= 2 }, 30*time.Second, 20*time.Millisecond, "the trigger never called Slack")
	first := herald.Output()
	herald.Kill()
	healthy.Store(true)
	herald = startHerald(t, args...)

	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(posted) > 0
	}, 60*time.Second, 50*time.Millisecond, "the message was never posted after the restart")
	herald.Stop(t)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []map[string]any{{"channel": "deploys", "text": "v1.2 is out"}}, posted)
	for _, out := range []string{first, herald.Output()} {
		require.NotContains(t, out, token)
		require.NotContains(t, out, strings.TrimPrefix(token, "xoxb-"))
	}
}
