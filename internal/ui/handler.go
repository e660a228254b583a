package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/herald-dev/herald/internal/metrics"
)

// eventsTimeout bounds the look-up of the Sensors' last events, so that a
// slow store does not stall the page's refresh.
const eventsTimeout = 500 * time.Millisecond

// flowHandler answers GET /api/v1/flow.
// The graph is laid out on the first request, and again when the objects
// say they changed.
type flowHandler struct {
	o Options

	mu      sync.Mutex
	graph   *graph
	version uint64
}

func (h *flowHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g, err := h.layout()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	c, err := metrics.Gather(h.o.Metrics)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), eventsTimeout)
	defer cancel()
	f := g.flow(ctx, c, h.o.Events)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(f)
}

func writeError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

// layout returns the graph of the objects as they are now.
func (h *flowHandler) layout() (*graph, error) {
	var version uint64
	if v, ok := h.o.Objects.(Versioned); ok {
		version = v.Version()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.graph != nil && h.version == version {
		return h.graph, nil
	}
	g, err := buildGraph(h.o.Objects, h.o.Namespace)
	if err != nil {
		return nil, err
	}
	h.graph, h.version = g, version
	return g, nil
}
