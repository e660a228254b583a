package eventsource

import (
	"fmt"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/registry"
)

// Kind is one event source plugin: its manifest name, how to read its
// configuration out of an EventSource, and how to build a source.
type Kind struct {
	// Name is the key of the kind under spec in the manifest, e.g. "webhook".
	Name string
	// Configs returns the kind's configurations in an EventSource's spec,
	// keyed by event name (nil when the kind is not used).
	Configs func(spec *v1alpha1.EventSourceSpec) map[string]any
	// New builds the source for one event.
	New func(env Env, spec Spec) (Source, error)
	// Listener says the kind receives what is pushed to it (a server, like
	// webhook) rather than watching or scheduling: with several controller
	// replicas, every replica runs it behind one Service. Other kinds run
	// on one replica at a time.
	Listener bool
	// ReportsStarted says the kind's sources call Env.ReportStarted once
	// they are up (a port bound, a watch synced). The runner counts a source
	// of another kind as started as soon as its Start is called.
	ReportsStarted bool
	// Doc describes the kind in Markdown for the generated reference pages
	// (docs/reference); its first paragraph is the one-line summary.
	Doc string
}

// Registry holds event source kinds by name.
type Registry = registry.Registry[Kind]

// NewRegistry returns a registry holding kinds.
func NewRegistry(kinds ...Kind) *Registry {
	return registry.New("event source kind", func(k Kind) string { return k.Name }, kinds...)
}

// Default is the registry the herald binary uses; internal/eventsource/all
// imports every kind, whose init registers it here.
var Default = NewRegistry()

// ConfigsOf turns a kind's map of event configurations in an EventSource's
// spec (e.g. spec.Webhook) into what Kind.Configs returns: a pointer to each
// configuration by event name, nil when the kind is not used.
func ConfigsOf[T any](m map[string]T) map[string]any {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]any, len(m))
	for name, c := range m {
		out[name] = &c
	}
	return out
}

// ConfigAs returns the event configuration in spec as a *T, accepting a T
// or a *T (what ConfigsOf gives), for a kind's constructor; any other type
// is an error naming both types.
func ConfigAs[T any](spec Spec) (*T, error) {
	switch c := spec.Config.(type) {
	case *T:
		return c, nil
	case T:
		return &c, nil
	}
	return nil, fmt.Errorf("config is a %T, want %T", spec.Config, (*T)(nil))
}
