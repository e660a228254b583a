// Package api serves Herald's JSON API about events under /api/v1/events:
// the recent events with their outcome, one event's full trace, a live
// stream of outcomes (server-sent events) and the replay of a recorded
// event. Everything is read-only except the replay. RequireToken guards a
// handler with a bearer token.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/trace"
)

// Publisher puts an event on the bus (a *jetstream.Bus).
type Publisher interface {
	Publish(ctx context.Context, ev *event.Event) (eventbus.PublishAck, error)
}

// Limits of the events list.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Options is what the API serves from.
type Options struct {
	// Store holds the traces.
	Store *trace.Store
	// Bus takes replayed events (nil: replay answers 503).
	Bus Publisher
	// Recorder records replayed events as received and published.
	Recorder *trace.Recorder
	// KnownSensor reports whether a Sensor ("name" or "namespace/name")
	// runs here (nil: any name is taken).
	KnownSensor func(name string) bool
	// Heartbeat is the interval of keep-alive comments on the stream
	// (0: 15s).
	Heartbeat time.Duration
	// Logger logs (nil: nothing).
	Logger *slog.Logger
}

// Register adds the API's routes to mux.
func Register(mux *http.ServeMux, o Options) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = 15 * time.Second
	}
	h := &handler{o: o}
	mux.HandleFunc("GET /api/v1/events", h.list)
	mux.HandleFunc("GET /api/v1/events/stream", h.stream)
	mux.HandleFunc("GET /api/v1/events/{id}", h.get)
	mux.HandleFunc("POST /api/v1/events/{id}/replay", h.replay)
}

type handler struct{ o Options }

// EventList is the answer of GET /api/v1/events.
type EventList struct {
	Events []trace.Summary `json:"events"`
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := DefaultLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "limit: want a positive number")
			return
		}
		limit = min(n, MaxLimit)
	}
	evs, err := h.o.Store.Recent(r.Context(), filterOf(r), limit)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, EventList{Events: evs})
}

func filterOf(r *http.Request) trace.Filter {
	q := r.URL.Query()
	return trace.Filter{Sensor: q.Get("sensor"), EventSource: q.Get("eventSource")}
}

func (h *handler) get(w http.ResponseWriter, r *http.Request) {
	t, err := h.o.Store.Get(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, trace.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
	default:
		writeJSON(w, http.StatusOK, t)
	}
}

// Error is the body of every answer that is not a success.
type Error struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, Error{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}
