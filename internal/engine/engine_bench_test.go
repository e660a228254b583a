package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/bundle"
	"github.com/herald-dev/herald/internal/eventsource"
	_ "github.com/herald-dev/herald/internal/eventsource/all"
)

// BenchmarkWebhookToBus measures webhook events accepted and durably
// published (the 200 is sent after the bus's ack) through the whole engine:
// HTTP server, webhook source, runner, embedded JetStream with a file store.
// 8 client connections, as in the target.
func BenchmarkWebhookToBus(b *testing.B) {
	dir := b.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(b, ln.Close())
	manifest := fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: bench
spec:
  webhook:
    example:
      port: "%d"
      endpoint: /example
      method: POST
`, port)
	path := dir + "/es.yaml"
	require.NoError(b, writeFile(path, manifest))
	bnd, diags, err := bundle.Load([]string{path}, bundle.Options{UniqueNames: true})
	require.NoError(b, err)
	require.False(b, diags.HasErrors(), diags.String())

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{
			Bundle: bnd, Sources: eventsource.Default, DataDir: dir + "/data",
			WebhookHost: "127.0.0.1", Logger: slog.New(slog.DiscardHandler),
		})
	}()
	defer func() {
		cancel()
		require.NoError(b, <-done)
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/example", port)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
	post := func() (int, error) {
		resp, err := client.Post(url, "application/json", bytes.NewReader([]byte(`{"message":"hello","n":1}`)))
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode, nil
	}
	require.Eventually(b, func() bool { code, err := post(); return err == nil && code == 200 }, 30*time.Second, 20*time.Millisecond)

	b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 concurrent clients on this machine
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			code, err := post()
			if err != nil || code != http.StatusOK {
				b.Errorf("POST: %d %v", code, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}
