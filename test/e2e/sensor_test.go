package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestWebhookToSensorTriggers runs a webhook EventSource and a Sensor with a
// data filter, a log trigger and an HTTP trigger in one herald process. The
// HTTP target fails three times first: at-least-once delivery retries until
// it succeeds. Events the filter rejects fire nothing.
func TestWebhookToSensorTriggers(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	var calls atomic.Int64
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 3 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
	}))
	defer sink.Close()

	dir := t.TempDir()
	port := freePort(t)
	writeFile(t, dir, "es.yaml", webhookEventSource("hooks", port))
	writeFile(t, dir, "sn.yaml", notifySensor(fmt.Sprintf(`    - template:
        name: call-sink
        http:
          url: %s
          method: POST
          payload:
            - src:
                dependencyName: greeting
                dataKey: body.who
              dest: who
      retryStrategy:
        steps: 5
        duration: 10ms
`, sink.URL)))
	p := startHerald(t, "run", "-f", dir, "--data-dir", filepath.Join(dir, "data"), "--webhook-host", "127.0.0.1", "--metrics-addr", "")
	post := func(body string) int {
		resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/example", port), "application/json", strings.NewReader(body))
		if err != nil {
			return 0
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	require.Eventually(t, func() bool { return post(`{"kind":"other","who":"nobody"}`) == http.StatusOK }, 30*time.Second, 50*time.Millisecond)
	require.Equal(t, http.StatusOK, post(`{"kind":"hello","who":"world"}`))

	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(bodies) == 1
	}, 30*time.Second, 20*time.Millisecond, "the HTTP trigger delivers after its retries")
	mu.Lock()
	require.JSONEq(t, `{"who":"world"}`, bodies[0])
	mu.Unlock()
	require.Eventually(t, func() bool { return strings.Contains(p.Output(), "log trigger fired") }, 10*time.Second, 20*time.Millisecond)
	require.EqualValues(t, 4, calls.Load(), "three failures, then the delivery; the filtered event fired nothing")
	require.Equal(t, 1, strings.Count(p.Output(), "log trigger fired"), "the filtered-out event fired no log trigger")
	p.Stop(t)
}
