package controller_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/controller"
)

// BenchmarkControllerReacts measures how long the controller takes, on a
// real API server, from the API call that adds, changes or deletes a
// Sensor to the runtime having started, restarted or stopped it (the
// issue's "within a second"). One op is one add, one change and one
// delete; the metrics split them.
func BenchmarkControllerReacts(b *testing.B) {
	c := newClient(b)
	ns := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	createNamespaces(b, c, ns)
	logs := startController(b, controller.Config{Namespaces: []string{ns}})
	ctx := b.Context()
	wait := func(msg, name string, n int) {
		if !logs.waitFor(30*time.Second, n, msg, "sensor", name) {
			b.Fatalf("%s %s: not seen within 30s", msg, name)
		}
	}
	var add, change, del time.Duration
	i := 0
	for b.Loop() {
		name := fmt.Sprintf("s-%d", i)
		i++
		start := time.Now()
		require.NoError(b, c.Create(ctx, logSensor(ns, name, "hooks", "first")))
		wait("started", name, 1)
		add += time.Since(start)

		start = time.Now()
		update(b, c, ns, name, &v1alpha1.Sensor{}, func(cur *v1alpha1.Sensor) { cur.Spec.Triggers[0].Template.Name = "second" })
		wait("restarted", name, 1)
		change += time.Since(start)

		start = time.Now()
		require.NoError(b, c.Delete(ctx, &v1alpha1.Sensor{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}))
		wait("stopped", name, 1)
		del += time.Since(start)
	}
	n := float64(i)
	b.ReportMetric(float64(add.Microseconds())/1000/n, "add-ms")
	b.ReportMetric(float64(change.Microseconds())/1000/n, "change-ms")
	b.ReportMetric(float64(del.Microseconds())/1000/n, "delete-ms")
}
