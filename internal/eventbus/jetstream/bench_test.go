package jetstream

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
)

// benchPublishers is the number of concurrent publishers per GOMAXPROCS.
const benchPublishers = 16

// benchEvent is a typical webhook event of about 300 bytes.
func benchEvent(n int64) *event.Event {
	return &event.Event{
		ID:              fmt.Sprintf("bench-%d", n),
		Source:          "webhook",
		Subject:         "example",
		Type:            "webhook",
		Time:            time.Now(),
		DataContentType: event.ContentTypeJSON,
		Data:            []byte(`{"header":{"Content-Type":["application/json"]},"body":{"message":"hello","n":42,"tags":["a","b","c"]}}`),
	}
}

// publishParallel publishes b.N events from benchPublishers*GOMAXPROCS
// goroutines on the embedded server's file store.
func publishParallel(b *testing.B, bus *Bus) {
	var seq atomic.Int64
	b.SetParallelism(benchPublishers)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := bus.Publish(context.Background(), benchEvent(seq.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkPublish(b *testing.B) {
	bus := newBus(b, Options{})
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	publishParallel(b, bus)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkPublishSyncAlways is BenchmarkPublish on a server that flushes
// each write to the disk before acknowledging it (--bus-sync always).
func BenchmarkPublishSyncAlways(b *testing.B) {
	srv, err := StartEmbedded(context.Background(), EmbeddedOptions{DataDir: b.TempDir(), SyncAlways: true, Logger: testLogger(b)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	bus := connect(b, Options{InProcess: srv})
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	publishParallel(b, bus)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

func BenchmarkPublishConsume(b *testing.B) {
	bus := newBus(b, Options{HandlerWorkers: 64})
	var handled atomic.Int64
	done := make(chan struct{})
	target := int64(b.N)
	subscribe(b, bus, eventbus.Subscription{Durable: "bench"}, func(ctx context.Context, m eventbus.Message) {
		if err := m.Ack(ctx); err != nil {
			b.Error(err)
		}
		if handled.Add(1) == target {
			close(done)
		}
	})
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	publishParallel(b, bus)
	<-done
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}
