package nats_test

import (
	"context"
	"testing"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// BenchmarkNATSTrigger publishes firings on one shared connection, each
// confirmed by a flush.
func BenchmarkNATSTrigger(b *testing.B) {
	srv := startServer(b)
	tr := build(b, &v1alpha1.NATSTrigger{URL: srv.URL, Subject: "minio-events", Payload: minioPayload})
	req := request(1)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := tr.Execute(ctx, req); err != nil {
				b.Error(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}
