// Package registry holds plugins by name — the event source kinds and the
// trigger kinds. A registry is a value: tests build one with only the kinds
// they need, and the binary uses a default one fed by each kind's init.
package registry

import (
	"fmt"
	"slices"
	"sync"
)

// Registry holds plugins of type K by name. It is safe for concurrent use.
type Registry[K any] struct {
	what string
	name func(K) string

	mu    sync.RWMutex
	kinds map[string]K
}

// New returns a registry of what (e.g. "trigger kind") holding kinds, named
// by name.
func New[K any](what string, name func(K) string, kinds ...K) *Registry[K] {
	r := &Registry[K]{what: what, name: name, kinds: map[string]K{}}
	for _, k := range kinds {
		r.Register(k)
	}
	return r
}

// Register adds a kind; registering a name twice panics (a programming error).
func (r *Registry[K]) Register(k K) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.name(k)
	if _, dup := r.kinds[n]; dup {
		panic(fmt.Sprintf("%s %q registered twice", r.what, n))
	}
	r.kinds[n] = k
}

// Lookup returns the kind of that name.
func (r *Registry[K]) Lookup(name string) (K, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	k, ok := r.kinds[name]
	return k, ok
}

// Names returns the registered names, sorted.
func (r *Registry[K]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.kinds))
	for n := range r.kinds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
