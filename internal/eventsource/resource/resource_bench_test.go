package resource

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
)

// BenchmarkResourceEvents measures the path from the informer to emit: each
// iteration starts a source (with its own informer) on a namespace holding
// benchServices Services and waits until it has emitted their ADD events
// through a no-op emit. It reports events/s, without and with a checkpoint
// (hashing and keeping each object's body).
func BenchmarkResourceEvents(b *testing.B) {
	const benchServices = 500
	ns := newNamespace(b)
	createServices(b, ns, benchServices)
	for _, withState := range []bool{false, true} {
		b.Run(fmt.Sprintf("checkpoint=%t", withState), func(b *testing.B) {
			benchmarkEvents(b, ns, benchServices, withState)
		})
	}
}

func benchmarkEvents(b *testing.B, ns string, benchServices int64, withState bool) {
	var total atomic.Int64
	start := time.Now()
	for b.Loop() {
		var n atomic.Int64
		done := make(chan struct{})
		env := testEnv()
		if withState {
			env.State = &eventsource.MemoryState{}
		}
		s, err := New(env, testSpec("bench", svcConfig(ns)))
		require.NoError(b, err)
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error, 1)
		go func() {
			stopped <- s.Start(ctx, func(context.Context, *event.Event) error {
				if n.Add(1) == benchServices {
					close(done)
				}
				return nil
			})
		}()
		<-done
		cancel()
		require.NoError(b, <-stopped)
		total.Add(n.Load())
	}
	b.ReportMetric(float64(total.Load())/time.Since(start).Seconds(), "events/s")
}

// createServices creates n headless Services in ns, a few at a time.
func createServices(b *testing.B, ns string, n int) {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			svc := &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bench-%04d", i), Namespace: ns, Labels: map[string]string{"app": "bench"}},
				// Headless: the test API server's Service IP range is small.
				Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone, Ports: []corev1.ServicePort{{Name: "http", Port: 8080}}},
			}
			_, err := clients.CoreV1().Services(ns).Create(context.Background(), svc, metav1.CreateOptions{})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(b, err)
	}
}
