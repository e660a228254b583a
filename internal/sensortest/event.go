package sensortest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/herald-dev/herald/internal/event"
)

// DefaultType is the CloudEvents type of an event given as bare data
// without a type.
const DefaultType = "dryrun"

// EventInput is one event to build: the content of an event file (or
// inline data) and the context around it.
type EventInput struct {
	// Raw is a structured CloudEvent (a JSON object with "specversion", as
	// the event bus carries it) or the bare event data.
	Raw []byte
	// Source and Subject are the EventSource and event names; for a
	// structured CloudEvent they replace its own when set.
	Source, Subject string
	// Context sets attributes; for a structured CloudEvent, those set
	// replace its own.
	Context Context
	// ID and Time are the id and time of bare data without them.
	ID   string
	Time time.Time
}

// BuildEvent builds the event in.
func BuildEvent(in EventInput) (*event.Event, error) {
	ev := &event.Event{}
	if isStructured(in.Raw) {
		if err := json.Unmarshal(in.Raw, ev); err != nil {
			return nil, fmt.Errorf("reading a structured CloudEvent: %w", err)
		}
	} else {
		ev.ID, ev.Type, ev.Time = in.ID, DefaultType, in.Time
		ev.Data = bytes.TrimSpace(in.Raw)
		if len(ev.Data) > 0 {
			ev.DataContentType = event.ContentTypeJSON
			if !json.Valid(ev.Data) {
				ev.DataContentType = "text/plain"
			}
		}
	}
	if in.Source != "" {
		ev.Source = in.Source
	}
	if in.Subject != "" {
		ev.Subject = in.Subject
	}
	c := in.Context
	if c.ID != "" {
		ev.ID = c.ID
	}
	if c.Type != "" {
		ev.Type = c.Type
	}
	if c.DataContentType != "" {
		ev.DataContentType = c.DataContentType
	}
	if c.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, c.Time)
		if err != nil {
			return nil, fmt.Errorf("reading context.time: %w", err)
		}
		ev.Time = t
	}
	if len(c.Extensions) > 0 {
		if ev.Extensions == nil {
			ev.Extensions = map[string]string{}
		}
		maps.Copy(ev.Extensions, c.Extensions)
	}
	if ev.Source == "" || ev.Subject == "" {
		return nil, fmt.Errorf("event %s names no EventSource event: give a dependency, or the EventSource and event names", ev.ID)
	}
	if err := ev.Validate(); err != nil {
		return nil, err
	}
	if ev.DataContentType == event.ContentTypeJSON && len(ev.Data) > 0 && !json.Valid(ev.Data) {
		return nil, fmt.Errorf("event %s: datacontenttype is %s but the data is not JSON", ev.ID, event.ContentTypeJSON)
	}
	return ev, nil
}

// isStructured reports whether raw is a JSON object with a specversion
// attribute.
func isStructured(raw []byte) bool {
	var probe map[string]json.RawMessage
	if json.Unmarshal(raw, &probe) != nil {
		return false
	}
	_, ok := probe["specversion"]
	return ok
}
