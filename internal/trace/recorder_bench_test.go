package trace_test

import (
	"testing"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trace"
)

// BenchmarkRecorderStep is the cost a Sensor pays per recorded step while
// nothing drains the buffer (the drop path, the worst case once the writer
// falls behind) — the pipeline never waits on the Recorder.
func BenchmarkRecorderStep(b *testing.B) {
	r := trace.NewRecorder(nil, trace.RecorderOptions{Buffer: 1})
	ev := &event.Event{ID: "e1", Source: "hooks", Subject: "push", Type: "webhook"}
	st := trace.Step{Stage: trace.StageDelivered, Sensor: "deploy", Dependency: "push"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.Step(ev, st)
		}
	})
}
