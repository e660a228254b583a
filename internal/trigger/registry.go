package trigger

import (
	"fmt"
	"slices"
	"sync"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// Kind is one trigger plugin: its name in the manifest and its constructor.
type Kind struct {
	// Name is the key under a trigger's template, e.g. "k8s", "http", "log".
	Name string
	// New builds the trigger for one trigger of a Sensor. It is called when
	// the Sensor starts and again when trigger-level parameters rewrote the
	// template; it must be cheap.
	New func(env Env, sensor *v1alpha1.Sensor, t *v1alpha1.Trigger) (Trigger, error)
	// Doc is a one-line description for generated reference docs.
	Doc string
}

// Registry holds trigger kinds by name.
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

// Default is the registry the herald binary uses; internal/trigger/all
// imports every kind, whose init registers it here.
var Default = NewRegistry()

// Register adds a kind; registering a name twice panics.
func (r *Registry) Register(k Kind) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.kinds[k.Name]; dup {
		panic(fmt.Sprintf("trigger: kind %q registered twice", k.Name))
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
