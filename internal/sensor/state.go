package sensor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
)

// Pending is what one trigger has gathered toward its conditions: the latest
// event of each dependency it waits for, by dependency name.
type Pending map[string]StoredEvent

// StoredEvent is one gathered event and when the Sensor took it.
type StoredEvent struct {
	// Event is the event after the dependency's transform.
	Event *event.Event `json:"event"`
	// At is when the Sensor stored it; conditionsReset compares it with its
	// schedule.
	At time.Time `json:"at"`
}

// State keeps the Pending events of triggers whose conditions need several
// dependencies, so that a restart does not forget a half-satisfied
// condition. Keys are opaque strings chosen by the Sensor (namespace, name
// and trigger). Implementations must be safe for concurrent use.
type State interface {
	// Load returns the events stored under key; an unknown key yields an
	// empty Pending and no error.
	Load(ctx context.Context, key string) (Pending, error)
	// Save replaces the events stored under key; an empty Pending removes
	// the key.
	Save(ctx context.Context, key string, p Pending) error
}

// KVState is a State in a JetStream key-value bucket, one key per trigger.
type KVState struct {
	kv jetstream.KV
}

var _ State = (*KVState)(nil)

// NewKVState returns a State kept in kv.
func NewKVState(kv jetstream.KV) *KVState { return &KVState{kv: kv} }

// Load implements State.
func (s *KVState) Load(ctx context.Context, key string) (Pending, error) {
	val, _, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Pending{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("loading sensor state %s: %w", key, err)
	}
	p := Pending{}
	if err := json.Unmarshal(val, &p); err != nil {
		return nil, fmt.Errorf("decoding sensor state %s: %w", key, err)
	}
	return p, nil
}

// Save implements State.
func (s *KVState) Save(ctx context.Context, key string, p Pending) error {
	if len(p) == 0 {
		if err := s.kv.Delete(ctx, key); err != nil {
			return fmt.Errorf("clearing sensor state %s: %w", key, err)
		}
		return nil
	}
	val, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encoding sensor state %s: %w", key, err)
	}
	if _, err := s.kv.Put(ctx, key, val); err != nil {
		return fmt.Errorf("saving sensor state %s: %w", key, err)
	}
	return nil
}

// MemoryState is a State in memory, for tests and for Sensors run without a
// bus that keeps state. It forgets everything when the process ends.
type MemoryState struct {
	mu sync.Mutex
	m  map[string]Pending
}

var _ State = (*MemoryState)(nil)

// NewMemoryState returns an empty MemoryState.
func NewMemoryState() *MemoryState { return &MemoryState{m: map[string]Pending{}} }

// Load implements State.
func (s *MemoryState) Load(_ context.Context, key string) (Pending, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.m[key]; p != nil {
		return maps.Clone(p), nil
	}
	return Pending{}, nil
}

// Save implements State.
func (s *MemoryState) Save(_ context.Context, key string, p Pending) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(p) == 0 {
		delete(s.m, key)
		return nil
	}
	s.m[key] = maps.Clone(p)
	return nil
}
