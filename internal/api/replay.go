package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trace"
)

// Replayed is the answer of POST /api/v1/events/{id}/replay.
type Replayed struct {
	// ID is the id of the new event.
	ID string `json:"id"`
	// ReplayOf is the id of the recorded event.
	ReplayOf string `json:"replayOf"`
	// Sensor is the only Sensor that takes the new event ("": all that
	// listen to its EventSource event).
	Sensor   string `json:"sensor,omitempty"`
	Sequence uint64 `json:"sequence"`
}

// replay publishes the recorded data of event {id} as a new event of the
// same EventSource event, naming the original in trace.ExtReplayOf and,
// with ?sensor=S, the only Sensor to take it in trace.ExtReplaySensor.
func (h *handler) replay(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		writeError(w, http.StatusForbidden, "cross-origin requests may not replay events")
		return
	}
	if h.o.Bus == nil {
		writeError(w, http.StatusServiceUnavailable, "no event bus to replay to")
		return
	}
	id := r.PathValue("id")
	sensor := r.URL.Query().Get("sensor")
	if sensor != "" && h.o.KnownSensor != nil && !h.o.KnownSensor(sensor) {
		writeError(w, http.StatusNotFound, "no Sensor "+sensor+" runs here")
		return
	}
	t, err := h.o.Store.Get(r.Context(), id)
	switch {
	case errors.Is(err, trace.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	case t.EventSource == "" || t.EventName == "":
		writeError(w, http.StatusConflict, "the trace of event "+id+" does not say which EventSource event it was")
		return
	}
	ev, err := replayEvent(t, sensor)
	if err != nil {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	h.o.Recorder.Received(t.Namespace, ev)
	ack, err := h.o.Bus.Publish(r.Context(), ev)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	h.o.Recorder.Published(ev, ack.Sequence)
	h.o.Logger.Info("event replayed", "event_id", ev.ID, "replay_of", id, "sensor", sensor)
	writeJSON(w, http.StatusAccepted, Replayed{ID: ev.ID, ReplayOf: id, Sensor: sensor, Sequence: ack.Sequence})
}

// replayEvent builds the new event from a trace.
func replayEvent(t *trace.Trace, sensor string) (*event.Event, error) {
	ev := &event.Event{
		ID:              uuid.NewString(),
		Source:          t.EventSource,
		Subject:         t.EventName,
		Type:            t.Type,
		Time:            time.Now().UTC(),
		DataContentType: t.ContentType,
		Extensions:      map[string]string{trace.ExtReplayOf: t.ID},
	}
	if ev.Type == "" {
		ev.Type = "replay"
	}
	if sensor != "" {
		ev.Extensions[trace.ExtReplaySensor] = sensor
	}
	if len(t.Data) > 0 {
		if t.ContentType == "" || t.ContentType == event.ContentTypeJSON {
			ev.Data = []byte(t.Data)
		} else {
			var s string
			if err := json.Unmarshal(t.Data, &s); err != nil {
				return nil, errors.New("the recorded payload cannot be read back")
			}
			ev.Data = []byte(s)
		}
	}
	return ev, nil
}

// sameOrigin refuses requests a browser sends from another site: an Origin
// header must name the host asked.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}
