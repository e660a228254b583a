package eventsource

import "sync"

// Shared holds process-wide resources that sources of one kind share, such
// as one HTTP server per port or one informer per resource and namespace.
type Shared struct {
	mu    sync.Mutex
	items map[string]any
}

// NewShared returns an empty set of shared resources.
func NewShared() *Shared { return &Shared{items: map[string]any{}} }

// GetOrCreate returns the resource stored under key, creating it with create
// on first use. create runs with the lock held: keep it quick.
func (s *Shared) GetOrCreate(key string, create func() any) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.items[key]; ok {
		return v
	}
	v := create()
	s.items[key] = v
	return v
}
