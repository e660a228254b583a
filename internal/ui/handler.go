package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// eventsTimeout bounds the look-up of the Sensors' last events, so that a
// slow store does not stall the page's refresh.
const eventsTimeout = 500 * time.Millisecond

// flowHandler answers GET /api/v1/flow.
// The graph is laid out once, on the first request: the bundle does not
// change while the process runs.
type flowHandler struct {
	o     Options
	once  sync.Once
	graph *graph
	err   error
}

func (h *flowHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(func() { h.graph, h.err = buildGraph(h.o.Bundle, h.o.Namespace) })
	if h.err != nil {
		writeError(w, http.StatusInternalServerError, h.err)
		return
	}
	c, err := gatherCounts(h.o.Metrics)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), eventsTimeout)
	defer cancel()
	f := h.graph.flow(ctx, c, h.o.Events)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(f)
}

func writeError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}
