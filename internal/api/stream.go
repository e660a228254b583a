package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// stream sends the summary of each event passing the sensor and
// eventSource parameters as server-sent events ("event: summary"), each
// time its trace grows, until the client goes away.
func (h *handler) stream(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	ch, cancel := h.o.Store.Subscribe(filterOf(r))
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, ": herald events\n\n"); err != nil {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}
	beat := time.NewTicker(h.o.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case sum, ok := <-ch:
			if !ok {
				return
			}
			data, err := json.Marshal(sum)
			if err != nil {
				continue
			}
			if _, err := fmt.Fprintf(w, "event: summary\nid: %s\ndata: %s\n\n", sum.ID, data); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
