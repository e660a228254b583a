package webhook

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

// BenchmarkWebhook measures accepted requests per second with 8 parallel
// keep-alive clients and a publish that returns at once.
func BenchmarkWebhook(b *testing.B) {
	port := webhooktest.FreePort(b)
	src, err := New(webhooktest.Env(nil), testSpec("bench", hook(port, "/bench", "POST")))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Start(ctx, func(context.Context, *event.Event) error { return nil }) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}()
	url := "http://127.0.0.1:" + port + "/bench"
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	for deadline := time.Now().Add(10 * time.Second); ; {
		if resp, err := c.Get("http://127.0.0.1:" + port + "/health"); err == nil {
			_ = resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("webhook server not ready")
		}
	}
	body := `{"message":"hello","n":1}`
	b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0))) // 8 clients
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := c.Post(url, "application/json", strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "requests/s")
}
