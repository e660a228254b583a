package eventsource

import (
	"context"
	"maps"
	"slices"
	"sync"
)

// StateStore keeps small opaque values for sources across restarts, keyed by
// strings the source chooses (a resource source saves what it last emitted
// per object there). Implementations must be safe for concurrent use.
type StateStore interface {
	// Load returns the value saved under key, or nil and no error when
	// nothing is saved there.
	Load(ctx context.Context, key string) ([]byte, error)
	// Save stores val under key, replacing what was there.
	Save(ctx context.Context, key string, val []byte) error
}

// MemoryState is a StateStore in memory: values survive a source's restart
// within the process, not the process's. The zero value is ready.
type MemoryState struct {
	mu sync.Mutex
	m  map[string][]byte
}

var _ StateStore = (*MemoryState)(nil)

// Load returns a copy of the value saved under key.
func (s *MemoryState) Load(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.m[key]), nil
}

// Save stores a copy of val under key.
func (s *MemoryState) Save(_ context.Context, key string, val []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.m[key] = slices.Clone(val)
	return nil
}

// Keys returns the keys that hold a value, in no particular order.
func (s *MemoryState) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Collect(maps.Keys(s.m))
}
