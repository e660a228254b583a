package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
)

// TestWebhookEventsSurviveSIGKILL sends N webhook events while herald is
// killed with SIGKILL half-way and restarted on the same data folder. Clients
// retry (with the same Idempotency-Key) until they get a 200. Afterwards the
// bus holds every event exactly once: nothing that got a 200 was lost, and
// retries of events that were stored before the crash were deduplicated.
func TestWebhookEventsSurviveSIGKILL(t *testing.T) {
	const total = 2000
	dir := t.TempDir()
	webhookPort, busPort := freePort(t), freePort(t)
	manifest := writeFile(t, dir, "es.yaml", webhookEventSource("crash", webhookPort))
	args := []string{
		"run", "-f", manifest, "--data-dir", dir + "/data",
		"--bus-listen", fmt.Sprintf("127.0.0.1:%d", busPort),
		"--webhook-host", "127.0.0.1", "--metrics-addr", "", "--log-level", "warn",
	}
	herald := startHerald(t, args...)

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	client := &http.Client{Timeout: 5 * time.Second}
	url := fmt.Sprintf("http://127.0.0.1:%d/example", webhookPort)
	send := func(n int) bool {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(fmt.Appendf(nil, `{"n":%d}`, n)))
		if err != nil {
			return false
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("event-%d", n))
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}

	var acked atomic.Int64
	work := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range work {
				for !send(n) {
					select {
					case <-ctx.Done():
						return
					case <-time.After(20 * time.Millisecond): // back off before retrying
					}
				}
				acked.Add(1)
			}
		}()
	}
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		for acked.Load() < total/2 && ctx.Err() == nil {
			select {
			case <-ctx.Done():
			case <-time.After(time.Millisecond):
			}
		}
		herald.Kill()
		herald = startHerald(t, args...)
	}()
	for n := range total {
		select {
		case work <- n:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	<-killed
	require.NoError(t, ctx.Err(), "sending timed out")
	require.EqualValues(t, total, acked.Load())

	nc, err := nats.Connect(fmt.Sprintf("nats://127.0.0.1:%d", busPort))
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	cons, err := js.OrderedConsumer(ctx, "herald", jetstream.OrderedConsumerConfig{})
	require.NoError(t, err)
	seen := map[int]int{}
	for len(seen) < total {
		batch, err := cons.Fetch(500, jetstream.FetchMaxWait(2*time.Second))
		require.NoError(t, err)
		got := 0
		for msg := range batch.Messages() {
			got++
			var ev struct {
				ID   string `json:"id"`
				Data struct {
					Body struct {
						N int `json:"n"`
					} `json:"body"`
				} `json:"data"`
			}
			require.NoError(t, json.Unmarshal(msg.Data(), &ev))
			seen[ev.Data.Body.N]++
		}
		require.NoError(t, batch.Error())
		if got == 0 {
			break
		}
	}
	require.Len(t, seen, total, "every event that got a 200 is on the bus")
	for n, c := range seen {
		require.Equal(t, 1, c, "event %d stored once", n)
	}
	herald.Stop(t)
}
