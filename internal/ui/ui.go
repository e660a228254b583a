// Package ui serves Herald's event-flow web UI: the embedded page (web/) and
// the JSON graph it draws (GET /api/v1/flow), plus the OpenAPI document of
// the whole /api/v1 surface. The event API itself (/api/v1/events...) lives
// in internal/api; this package only reads recent events through
// EventLister.
package ui

import (
	"context"
	"embed"
	"io/fs"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trace"
)

//go:embed web
var webFS embed.FS

//go:embed openapi.yaml
var openAPI []byte

// EventLister gives the most recent events that match a filter, newest
// first, at most limit of them. The trace store implements it.
type EventLister interface {
	Recent(ctx context.Context, filter trace.Filter, limit int) ([]trace.Summary, error)
}

// Objects are the EventSources and Sensors the process runs: a
// *bundle.Bundle (files, fixed) or the engine's runtime (a cluster's,
// changing).
type Objects interface {
	EventSources() []*v1alpha1.EventSource
	Sensors() []*v1alpha1.Sensor
}

// Versioned objects say when they changed: the graph is laid out again
// then. Objects that are not Versioned are laid out once.
type Versioned interface {
	Version() uint64
}

// Options are what the UI shows.
type Options struct {
	// Objects are what the graph shows (nil: an empty graph).
	Objects Objects
	// Metrics gives the counters the graph's edges show (nil: no counts).
	Metrics prometheus.Gatherer
	// Events gives each Sensor's last outcome (nil: none shown).
	Events EventLister
	// Namespace is the namespace of the objects whose manifest names none
	// (the process's default namespace).
	Namespace string
}

// Register adds the UI's routes to mux: GET / (the page and its assets),
// GET /api/v1/flow and GET /api/v1/openapi.yaml. All of them are read-only.
// The page must be reachable without a token: it asks for one when the API
// answers 401.
func Register(mux *http.ServeMux, o Options) {
	web, err := fs.Sub(webFS, "web")
	if err != nil {
		panic(err) // the embedded folder is always there
	}
	mux.Handle("GET /", http.FileServerFS(web))
	mux.Handle("GET /api/v1/flow", &flowHandler{o: o})
	mux.HandleFunc("GET /api/v1/openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
}
