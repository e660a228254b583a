package log

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trigger"
)

var _ trigger.Renderer = (*Trigger)(nil)

// loggedEvent is one event of a log line as Render shows it.
type loggedEvent struct {
	EventID     string `json:"event_id"`
	EventSource string `json:"eventsource"`
	Event       string `json:"event"`
	Type        string `json:"type"`
	Time        string `json:"time,omitempty"`
	// Data is the event data: JSON data as JSON (the line carries it as
	// text), other data as a string.
	Data json.RawMessage `json:"data,omitempty"`
}

// Render returns the fields of the line Execute would write for req:
// {"event_id": ..., "events": {"<dependency>": {...}}}. The interval is not
// applied: every firing is shown.
func (t *Trigger) Render(_ context.Context, req *trigger.Request, _ trigger.RenderOptions) (trigger.Rendered, error) {
	events := make(map[string]loggedEvent, len(req.Events))
	for dep, ev := range req.Events {
		if ev == nil {
			continue
		}
		le := loggedEvent{EventID: ev.ID, EventSource: ev.Source, Event: ev.Subject, Type: ev.Type, Data: dataOf(ev)}
		if !ev.Time.IsZero() {
			le.Time = ev.Time.UTC().Format(time.RFC3339Nano)
		}
		events[dep] = le
	}
	obj, err := json.Marshal(map[string]any{"event_id": req.EventID, "events": events})
	if err != nil {
		return trigger.Rendered{}, fmt.Errorf("encoding the log line of event %s: %w", req.EventID, err)
	}
	return trigger.Rendered{Operation: "log", Target: "sensor log (" + Message + ")", Object: obj}, nil
}

// dataOf returns the data as JSON: itself when it is JSON, else a string.
func dataOf(ev *event.Event) json.RawMessage {
	if len(ev.Data) == 0 {
		return nil
	}
	if ev.IsJSON() {
		return ev.Data
	}
	s, _ := json.Marshal(string(ev.Data))
	return s
}
