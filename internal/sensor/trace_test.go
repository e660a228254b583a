package sensor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/trace"
)

// TestTraceRecordsWhatTheSensorDid runs a Sensor with a Recorder: the
// trace of a passing event has the transform's output, the dependency and
// the trigger's result; the trace of a rejected one names the filter and
// what it saw; a replay meant for another Sensor is skipped untraced.
func TestTraceRecordsWhatTheSensorDid(t *testing.T) {
	h := newHarness(t)
	j, err := h.bus.Journal(t.Context(), "herald-traces", jetstream.JournalOptions{MaxAge: time.Hour})
	require.NoError(t, err)
	store, err := trace.Open(t.Context(), j, trace.Options{})
	require.NoError(t, err)
	rec := trace.NewRecorder(store, trace.RecorderOptions{FlushEvery: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	go rec.Run(ctx)
	defer func() { cancel(); <-rec.Done() }()

	cfg := h.config(t, sensorYAML(t, transformThenFilter))
	cfg.Trace = rec
	start(t, cfg)
	_, err = h.bus.Publish(t.Context(), &event.Event{
		ID: "other", Source: "es", Subject: "ev", Type: "webhook", Time: time.Now(),
		DataContentType: event.ContentTypeJSON, Data: []byte(`{"type":"ADD"}`),
		Extensions: map[string]string{trace.ExtReplaySensor: "ns/someone-else"},
	})
	require.NoError(t, err)
	h.publish(t, "es", "ev", "del", `{"type":"DELETE"}`)
	h.publish(t, "es", "ev", "add", `{"type":"ADD"}`)
	eventually(t, func() bool { return h.fate.acks("del") == 1 && h.fate.acks("add") == 1 && h.fate.acks("other") == 1 }, "all acked")
	require.Len(t, h.rec.of("rec"), 1, "the replay for another Sensor does not fire")

	steps := func(id string) []trace.Step {
		var tr *trace.Trace
		eventually(t, func() bool {
			tr, err = store.Get(t.Context(), id)
			return err == nil && len(tr.Steps) >= 2
		}, "trace of %s", id)
		for i := range tr.Steps {
			tr.Steps[i].Time = time.Time{}
		}
		return tr.Steps
	}
	add := steps("add")
	require.Equal(t, trace.StageTransformed, add[0].Stage)
	require.JSONEq(t, `{"type":"ADD","op":"create"}`, string(add[0].Data))
	require.Equal(t, trace.Step{Stage: trace.StageDelivered, Sensor: "tf", Dependency: "dep"}, add[1])
	eventually(t, func() bool { return len(steps("add")) == 3 }, "trigger result recorded")
	add = steps("add")
	require.Equal(t, trace.StageTriggered, add[2].Stage)
	require.Equal(t, "rec", add[2].Trigger)
	require.Equal(t, 1, add[2].Attempts)

	del := steps("del")
	require.Equal(t, trace.Step{
		Stage: trace.StageFiltered, Sensor: "tf", Dependency: "dep",
		Reason: `data[0] op: saw "delete", want type string, value matching "^create$"`,
	}, del[1])

	_, err = store.Get(t.Context(), "other")
	require.ErrorIs(t, err, trace.ErrNotFound)
}
