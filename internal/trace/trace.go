// Package trace keeps a compact trace of every event Herald handles: when a
// source received it, its bus sequence, what each Sensor's dependencies made
// of it (the filter's reason for a rejection, the transform's output or
// error) and each trigger's result. The pipeline hands steps to a Recorder,
// which never blocks: it buffers them, drops them (and counts the drop) when
// the buffer is full, and a background writer files them in a Store. The
// Store keeps the records in a Journal (a bounded JetStream stream, so traces
// survive a restart) and a bounded in-memory index of recent summaries for
// listing and live streaming.
package trace

import (
	"encoding/json"
	"slices"
	"time"
)

// Outcomes of a Summary.
const (
	// OutcomePending: received, not on the bus yet.
	OutcomePending = "pending"
	// OutcomePublished: on the bus; no Sensor is done with it yet, or
	// the Sensors that took it are waiting for further events.
	OutcomePublished = "published"
	// OutcomeFiltered: every dependency that saw it rejected it.
	OutcomeFiltered = "filtered"
	// OutcomeTriggered: a trigger fired and none failed.
	OutcomeTriggered = "triggered"
	// OutcomeFailed: a trigger failed (or its dead-letter trigger ran).
	OutcomeFailed = "failed"
)

// Stages of a Step.
const (
	StageReceived     = "received"
	StagePublished    = "published"
	StageDelivered    = "delivered"
	StageFiltered     = "filtered"
	StageTransformed  = "transformed"
	StageTriggered    = "triggered"
	StageFailed       = "failed"
	StageRetried      = "retried"
	StageDeadLettered = "dead-lettered"
)

// Summary is the one-line view of an event.
type Summary struct {
	ID          string    `json:"id"`
	Time        time.Time `json:"time"`
	Namespace   string    `json:"namespace"`
	EventSource string    `json:"eventSource"`
	EventName   string    `json:"eventName"`
	// Outcome is one of the Outcome constants.
	Outcome string `json:"outcome"`
	// Sensors are the Sensors the event was delivered to.
	Sensors []string `json:"sensors,omitempty"`
	// ReplayOf is the id of the event this one replays.
	ReplayOf string `json:"replayOf,omitempty"`
}

// Filter selects summaries; empty fields match everything.
type Filter struct {
	// Sensor matches events delivered to the Sensor of that name.
	Sensor string
	// EventSource matches events of the EventSource of that name.
	EventSource string
}

// Matches reports whether s passes f.
func (f Filter) Matches(s Summary) bool {
	if f.EventSource != "" && s.EventSource != f.EventSource {
		return false
	}
	return f.Sensor == "" || slices.Contains(s.Sensors, f.Sensor)
}

// Trace is everything recorded about one event.
type Trace struct {
	Summary
	// Sequence is the event's sequence in the bus's stream.
	Sequence uint64 `json:"sequence"`
	// Type is the event source kind; ContentType the payload's media type.
	Type        string `json:"type,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	// Data is the payload as received: the JSON document, or a JSON string
	// holding a payload that is not JSON.
	Data  json.RawMessage `json:"data,omitempty"`
	Steps []Step          `json:"steps"`
}

// Step is one thing that happened to the event.
type Step struct {
	Time time.Time `json:"time"`
	// Stage is one of the Stage constants. A dependency that took the event
	// is StageDelivered with Dependency set; one that rejected it is
	// StageFiltered with the Reason (or the filter's Error).
	Stage      string `json:"stage"`
	Sensor     string `json:"sensor,omitempty"`
	Dependency string `json:"dependency,omitempty"`
	Trigger    string `json:"trigger,omitempty"`
	Reason     string `json:"reason,omitempty"`
	// Ref is what a trigger acted on (an object reference, an HTTP status).
	Ref      string `json:"ref,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
	Error    string `json:"error,omitempty"`
	// Data is a transform's output (JSON).
	Data json.RawMessage `json:"data,omitempty"`
}

// record is what the Recorder files in the Journal: part of an event's
// trace. An event's trace is its records folded in order.
type record struct {
	ID          string          `json:"id"`
	Time        time.Time       `json:"time,omitzero"`
	Namespace   string          `json:"namespace,omitempty"`
	EventSource string          `json:"eventSource,omitempty"`
	EventName   string          `json:"eventName,omitempty"`
	Type        string          `json:"type,omitempty"`
	ContentType string          `json:"contentType,omitempty"`
	Data        json.RawMessage `json:"data,omitempty"`
	Sequence    uint64          `json:"sequence,omitempty"`
	ReplayOf    string          `json:"replayOf,omitempty"`
	Steps       []Step          `json:"steps,omitempty"`
	// raw is the payload of a received event, turned into Data by the
	// writer.
	raw []byte
}

// absorb adds r's attributes that are set to m and appends r's steps.
func (m *record) absorb(r *record) {
	m.absorbAttrs(r)
	m.Steps = append(m.Steps, r.Steps...)
}

// absorbAttrs is absorb without the steps.
func (m *record) absorbAttrs(r *record) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	if !r.Time.IsZero() {
		m.Time = r.Time
	}
	set(&m.Namespace, r.Namespace)
	set(&m.EventSource, r.EventSource)
	set(&m.EventName, r.EventName)
	set(&m.Type, r.Type)
	set(&m.ContentType, r.ContentType)
	set(&m.ReplayOf, r.ReplayOf)
	if len(r.Data) > 0 {
		m.Data = r.Data
	}
	if len(r.raw) > 0 {
		m.raw = r.raw
	}
	if r.Sequence != 0 {
		m.Sequence = r.Sequence
	}
}

// merge adds r's attributes that are set to t and appends r's steps.
func (t *Trace) merge(r *record) {
	m := record{
		ID: r.ID, Time: t.Time, Namespace: t.Namespace, EventSource: t.EventSource, EventName: t.EventName,
		Type: t.Type, ContentType: t.ContentType, Data: t.Data, Sequence: t.Sequence, ReplayOf: t.ReplayOf, Steps: t.Steps,
	}
	m.absorb(r)
	t.ID, t.Time, t.Namespace, t.EventSource, t.EventName = m.ID, m.Time, m.Namespace, m.EventSource, m.EventName
	t.Type, t.ContentType, t.Data, t.Sequence, t.ReplayOf, t.Steps = m.Type, m.ContentType, m.Data, m.Sequence, m.ReplayOf, m.Steps
}

// summarize sets the Outcome and Sensors of t's Summary from its steps.
func (t *Trace) summarize() {
	t.Outcome, t.Sensors = outcome(t.Steps)
}

// outcome derives an event's outcome and the Sensors it reached from its
// steps.
func outcome(steps []Step) (string, []string) {
	var reached stages
	var sensors []string
	for _, st := range steps {
		reached |= stageOf(st)
		sensors = addSensor(sensors, st.Sensor)
	}
	return reached.outcome(len(sensors) > 0), sensors
}

// stages is the set of stages an event's steps reached that decide its
// outcome: all the trace index keeps of the steps.
type stages uint8

const (
	reachedPublished stages = 1 << iota
	reachedDelivered
	reachedFiltered
	reachedTriggered
	reachedFailed
)

// stageOf is what step st tells of the outcome.
func stageOf(st Step) stages {
	switch st.Stage {
	case StagePublished:
		return reachedPublished
	case StageDelivered:
		return reachedDelivered
	case StageFiltered:
		return reachedFiltered
	case StageTriggered:
		return reachedTriggered
	case StageFailed, StageDeadLettered:
		return reachedFailed
	case StageTransformed:
		if st.Error != "" {
			return reachedFiltered
		}
	}
	return 0
}

// outcome is the outcome of an event whose steps reached s (and some
// Sensor, when sensors is set).
func (s stages) outcome(sensors bool) string {
	switch {
	case s&reachedFailed != 0:
		return OutcomeFailed
	case s&reachedTriggered != 0:
		return OutcomeTriggered
	case s&reachedFiltered != 0 && s&reachedDelivered == 0:
		return OutcomeFiltered
	case s != 0 || sensors:
		return OutcomePublished
	}
	return OutcomePending
}

// addSensor adds name (unless empty) to the sorted set sensors.
func addSensor(sensors []string, name string) []string {
	if name == "" {
		return sensors
	}
	if i, found := slices.BinarySearch(sensors, name); !found {
		sensors = slices.Insert(sensors, i, name)
	}
	return sensors
}

// SortSteps orders steps by time, keeping the order of equal times, with
// received and published first: a Sensor may take the event before the
// publisher has the bus's ack.
func SortSteps(steps []Step) {
	rank := func(s Step) int {
		switch s.Stage {
		case StageReceived:
			return 0
		case StagePublished:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(steps, func(a, b Step) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return a.Time.Compare(b.Time)
	})
}
