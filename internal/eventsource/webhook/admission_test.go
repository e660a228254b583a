package webhook

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

// TestTooManyRequestsInProgress fills a port's request slots with requests
// whose publish does not return: the next request is answered 503 with
// Retry-After at once, /health still answers, and once the publishes
// return the port takes requests again.
func TestTooManyRequestsInProgress(t *testing.T) {
	limit := maxConcurrentRequests
	maxConcurrentRequests = 3
	t.Cleanup(func() { maxConcurrentRequests = limit })

	var waiting atomic.Int32
	release := make(chan struct{})
	var blocking atomic.Bool
	emit := func(ctx context.Context, _ *event.Event) error {
		if !blocking.Load() {
			return nil
		}
		waiting.Add(1)
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	}
	port := webhooktest.FreePort(t)
	s := start(t, webhooktest.Env(nil), testSpec("busy", hook(port, "/busy", "POST")), emit)
	blocking.Store(true)

	var wg sync.WaitGroup
	statuses := make(chan int, 3)
	for range 3 {
		wg.Go(func() {
			resp, _ := webhooktest.Send(t, "POST", s.url, "application/json", `{}`, nil)
			statuses <- resp.StatusCode
		})
	}
	require.Eventually(t, func() bool { return waiting.Load() == 3 }, 10*time.Second, 5*time.Millisecond)

	resp, _ := webhooktest.Send(t, "POST", s.url, "application/json", `{}`, nil)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, "1", resp.Header.Get("Retry-After"))
	resp, _ = webhooktest.Send(t, "GET", "http://127.0.0.1:"+port+"/health", "", "", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	close(release)
	wg.Wait()
	close(statuses)
	for code := range statuses {
		require.Equal(t, http.StatusOK, code)
	}
	resp, _ = webhooktest.Send(t, "POST", s.url, "application/json", `{}`, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
