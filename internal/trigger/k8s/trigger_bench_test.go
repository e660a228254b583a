package k8s

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trigger"
)

// BenchmarkK8sCreate creates Ingresses through the trigger, in parallel as
// the Sensor's delivery loop does, and reports objects/s.
func BenchmarkK8sCreate(b *testing.B) {
	ns := newNamespace(b)
	sensor := sensorIn(ns, "")
	manifest := `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bench
spec:
  ingressClassName: nginx
  rules:
  - host: bench.example
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: svc
            port:
              number: 8080
`
	tr := build(b, sensor, &v1alpha1.StandardK8STrigger{
		Source:     resource(b, strings.TrimSpace(manifest)),
		Parameters: []v1alpha1.TriggerParameter{nameParam},
	})
	var seq atomic.Int64
	b.SetParallelism(16) // requests wait on the API server, not the CPU
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("bench-%d", seq.Add(1))
			ev := &event.Event{ID: id, Source: "es", Subject: "ev", Type: "webhook", DataContentType: event.ContentTypeJSON, Data: []byte(`{"name":"` + id + `"}`)}
			_, err := tr.Execute(context.Background(), &trigger.Request{Sensor: sensor, Events: map[string]*event.Event{"dep": ev}, EventID: id})
			require.NoError(b, err)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}
