package sensortest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/event"
)

func TestBuildEvent(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	structured := `{"specversion":"1.0","id":"x","source":"es","subject":"ev","type":"webhook","datacontenttype":"application/json","data":{"a":1}}`
	tests := []struct {
		name string
		in   EventInput
		want *event.Event
		err  string
	}{
		{
			name: "bare JSON data with defaults",
			in:   EventInput{Raw: []byte("{\"a\":1}\n"), Source: "es", Subject: "ev", ID: "dryrun-1", Time: at},
			want: &event.Event{ID: "dryrun-1", Source: "es", Subject: "ev", Type: DefaultType, Time: at, DataContentType: event.ContentTypeJSON, Data: []byte(`{"a":1}`)},
		},
		{
			name: "bare data with a context",
			in: EventInput{
				Raw: []byte(`{}`), Source: "es", Subject: "ev", ID: "dryrun-1", Time: at,
				Context: Context{ID: "c1", Type: "resource", Time: "2026-11-26T11:30:00Z", Extensions: map[string]string{"k": "v"}},
			},
			want: &event.Event{
				ID: "c1", Source: "es", Subject: "ev", Type: "resource", Time: time.Date(2026, 11, 26, 11, 30, 0, 0, time.UTC),
				DataContentType: event.ContentTypeJSON, Data: []byte(`{}`), Extensions: map[string]string{"k": "v"},
			},
		},
		{
			name: "bare text data",
			in:   EventInput{Raw: []byte("tick"), Source: "es", Subject: "ev", ID: "dryrun-1", Time: at},
			want: &event.Event{ID: "dryrun-1", Source: "es", Subject: "ev", Type: DefaultType, Time: at, DataContentType: "text/plain", Data: []byte("tick")},
		},
		{
			name: "structured CloudEvent",
			in:   EventInput{Raw: []byte(structured), ID: "unused", Time: at},
			want: &event.Event{ID: "x", Source: "es", Subject: "ev", Type: "webhook", DataContentType: event.ContentTypeJSON, Data: []byte(`{"a":1}`)},
		},
		{
			name: "structured CloudEvent with names replaced",
			in:   EventInput{Raw: []byte(structured), Source: "other", Subject: "e2"},
			want: &event.Event{ID: "x", Source: "other", Subject: "e2", Type: "webhook", DataContentType: event.ContentTypeJSON, Data: []byte(`{"a":1}`)},
		},
		{name: "no names", in: EventInput{Raw: []byte(`{}`), ID: "dryrun-1"}, err: "event dryrun-1 names no EventSource event: give a dependency, or the EventSource and event names"},
		{name: "bad time", in: EventInput{Raw: []byte(`{}`), Source: "es", Subject: "ev", ID: "i", Context: Context{Time: "yesterday"}}, err: `reading context.time: parsing time "yesterday" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "yesterday" as "2006"`},
		{name: "bad structured", in: EventInput{Raw: []byte(`{"specversion":"0.3","id":"x"}`)}, err: `reading a structured CloudEvent: invalid event: specversion "0.3" (want 1.0)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BuildEvent(tt.in)
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, fieldsOf(tt.want), fieldsOf(got))
		})
	}
}

// fields are the exported attributes of an event (Event caches unexported
// state).
type fields struct {
	ID, Source, Subject, Type, DataContentType, Data string
	Time                                             time.Time
	Extensions                                       map[string]string
}

func fieldsOf(e *event.Event) fields {
	return fields{e.ID, e.Source, e.Subject, e.Type, e.DataContentType, string(e.Data), e.Time, e.Extensions}
}
