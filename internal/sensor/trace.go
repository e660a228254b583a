package sensor

import (
	"context"
	"strings"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trace"
	"github.com/herald-dev/herald/internal/trigger"
)

// maxTracedData bounds the transform output kept in a trace.
const maxTracedData = 16 << 10

// skipsReplay reports whether ev is a replay meant for another Sensor
// (trace.ExtReplaySensor names "name" or "namespace/name").
func (e *engine) skipsReplay(ev *event.Event) bool {
	only := ev.Extensions[trace.ExtReplaySensor]
	if only == "" {
		return false
	}
	s := e.sensor
	return only != s.Name && only != s.Namespace+"/"+s.Name
}

// traceSuperseded records that ev was acknowledged without being processed,
// because a newer event about its object was already handled.
func (e *engine) traceSuperseded(ev *event.Event, reason string) {
	e.log.Info("redelivered event superseded", "event_id", ev.ID, "reason", reason)
	if e.trace == nil {
		return
	}
	e.trace.Step(ev, trace.Step{Stage: trace.StageFiltered, Sensor: e.sensor.Name, Reason: reason})
}

// traceMatch records what dependency d made of ev: the transform's output
// or error, then the filters' verdict.
func (e *engine) traceMatch(ev *event.Event, d *dependency, m dependencyMatch) {
	if e.trace == nil {
		return
	}
	sensor, dep := e.sensor.Name, d.spec.Name
	if !d.transform.Identity() {
		st := trace.Step{Stage: trace.StageTransformed, Sensor: sensor, Dependency: dep}
		switch {
		case m.TransformErr != nil:
			st.Error = m.TransformErr.Error()
		case m.Event != nil && len(m.Event.Data) <= maxTracedData && m.Event.IsJSON():
			st.Data = m.Event.Data
		}
		e.trace.Step(ev, st)
		if m.TransformErr != nil {
			return
		}
	}
	st := trace.Step{Stage: trace.StageDelivered, Sensor: sensor, Dependency: dep}
	switch {
	case m.FilterErr != nil:
		st.Stage, st.Error = trace.StageFiltered, m.FilterErr.Error()
	case !m.Filter.Pass:
		st.Stage = trace.StageFiltered
		reasons := make([]string, len(m.Filter.Reasons))
		for i, r := range m.Filter.Reasons {
			reasons[i] = r.String()
		}
		st.Reason = strings.Join(reasons, "; ")
		if st.Reason == "" {
			st.Reason = "rejected"
		}
	}
	e.trace.Step(ev, st)
}

// traceFiring records the result of firing t for the event eventID, as
// fireTrigger reads it.
func (e *engine) traceFiring(t *compiledTrigger, eventID string, res trigger.Result, err error, final bool) {
	if e.trace == nil {
		return
	}
	st := trace.Step{Stage: trace.StageTriggered, Sensor: e.sensor.Name, Trigger: t.name, Ref: res.Ref, Attempts: res.Attempts}
	if err != nil {
		st.Error = err.Error()
		st.Stage = trace.StageFailed
		if t.atLeastOnce && !trigger.IsTerminal(err) && !final {
			st.Stage = trace.StageRetried
		}
	}
	e.trace.StepID(eventID, st)
}

// traceDeadLetter records the result of the dead-letter trigger dlq.
func (e *engine) traceDeadLetter(ctx context.Context, dlq *compiledTrigger, eventID string, res trigger.Result, err error) {
	if e.trace == nil || ctx.Err() != nil {
		return
	}
	st := trace.Step{Stage: trace.StageDeadLettered, Sensor: e.sensor.Name, Trigger: dlq.name, Ref: res.Ref, Attempts: res.Attempts}
	if err != nil {
		st.Error = err.Error()
	}
	e.trace.StepID(eventID, st)
}
