package log

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trigger"
)

func TestRender(t *testing.T) {
	tr, err := New(trigger.Env{}, nil, spec(nil))
	require.NoError(t, err)
	at := time.Date(2026, 11, 26, 11, 30, 0, 0, time.UTC)
	req := &trigger.Request{EventID: "e2", Events: map[string]*event.Event{
		"a": {ID: "e1", Source: "es", Subject: "a", Type: "webhook", Time: at, DataContentType: event.ContentTypeJSON, Data: []byte(`{"x":1}`)},
		"b": {ID: "e2", Source: "es", Subject: "b", Type: "calendar", DataContentType: "text/plain", Data: []byte("tick")},
	}}
	got, err := tr.(trigger.Renderer).Render(t.Context(), req, trigger.RenderOptions{})
	require.NoError(t, err)
	require.Equal(t, "log", got.Operation)
	require.JSONEq(t, `{"event_id":"e2","events":{
		"a":{"event_id":"e1","eventsource":"es","event":"a","type":"webhook","time":"2026-11-26T11:30:00Z","data":{"x":1}},
		"b":{"event_id":"e2","eventsource":"es","event":"b","type":"calendar","data":"tick"}}}`, string(got.Object))
}
