package engine

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	_ "github.com/herald-dev/herald/internal/eventsource/all"
)

// BenchmarkWebhookToBus measures webhook events accepted and durably
// published (the 200 is sent after the bus's ack) through the whole engine:
// HTTP server, webhook source, runner, embedded JetStream with a file store.
// 8 client connections, as in the target.
func BenchmarkWebhookToBus(b *testing.B) {
	p := startPipeline(b, "", slog.New(slog.DiscardHandler))
	body := []byte(`{"message":"hello","n":1}`)
	require.Eventually(b, func() bool { code, err := p.post(body); return err == nil && code == 200 }, 30*time.Second, 20*time.Millisecond)

	b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 concurrent clients on this machine
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			code, err := p.post(body)
			if err != nil || code != http.StatusOK {
				b.Errorf("POST: %d %v", code, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}
