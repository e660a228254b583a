package eventsource

import (
	"fmt"
	"slices"
	"sync"

	"github.com/herald-dev/herald/api/v1alpha1"
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
	// Doc is a one-line description for generated reference docs.
	Doc string
}

// Registry holds event source kinds by name. Tests build one with only the
// kinds they need; the binary uses Default, fed by each kind's init.
type Registry struct {
	mu    sync.RWMutex
	kinds map[string]Kind
}

// NewRegistry returns a registry holding kinds.
func NewRegistry(kinds ...Kind) *Registry {
	r := &Registry{kinds: map[string]Kind{}}
	for _, k := range kinds {
		r.Register(k)
	}
	return r
}

// Default is the registry the herald binary uses; internal/eventsource/all
// imports every kind, whose init registers it here.
var Default = NewRegistry()

// Register adds a kind; registering a name twice panics (a programming error).
func (r *Registry) Register(k Kind) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.kinds[k.Name]; dup {
		panic(fmt.Sprintf("eventsource: kind %q registered twice", k.Name))
	}
	r.kinds[k.Name] = k
}

// Lookup returns the kind of that name.
func (r *Registry) Lookup(name string) (Kind, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	k, ok := r.kinds[name]
	return k, ok
}

// Names returns the registered kind names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.kinds))
	for n := range r.kinds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
