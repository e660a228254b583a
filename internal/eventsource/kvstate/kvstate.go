// Package kvstate keeps event sources' progress in the event bus's key-value
// store, so it survives a restart of the process: a calendar's last fire
// time (eventsource.Checkpoints) and a resource source's record of what it
// already emitted (eventsource.StateStore).
package kvstate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/eventsource"
)

// KV is the part of a key-value bucket this package uses.
type KV interface {
	Get(ctx context.Context, key string) ([]byte, uint64, error)
	Put(ctx context.Context, key string, val []byte) (uint64, error)
}

// Store implements eventsource.StateStore and eventsource.Checkpoints over a
// bucket.
type Store struct {
	kv KV
}

var (
	_ eventsource.StateStore  = (*Store)(nil)
	_ eventsource.Checkpoints = (*Checkpoints)(nil)
)

// New returns a store over kv.
func New(kv KV) *Store { return &Store{kv: kv} }

// Load returns the value under key, or nil when there is none.
func (s *Store) Load(ctx context.Context, key string) ([]byte, error) {
	val, _, err := s.kv.Get(ctx, "state/"+key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("loading state %s: %w", key, err)
	}
	return val, nil
}

// Save stores val under key.
func (s *Store) Save(ctx context.Context, key string, val []byte) error {
	if _, err := s.kv.Put(ctx, "state/"+key, val); err != nil {
		return fmt.Errorf("saving state %s: %w", key, err)
	}
	return nil
}

// Checkpoints returns the store's view as checkpoints.
func (s *Store) Checkpoints() *Checkpoints { return &Checkpoints{kv: s.kv} }

// Checkpoints keeps times under keys.
type Checkpoints struct {
	kv KV
}

// Load returns the time saved under key.
func (c *Checkpoints) Load(ctx context.Context, key string) (time.Time, bool, error) {
	val, _, err := c.kv.Get(ctx, "checkpoint/"+key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("loading checkpoint %s: %w", key, err)
	}
	var t time.Time
	if err := t.UnmarshalText(val); err != nil {
		return time.Time{}, false, fmt.Errorf("reading checkpoint %s: %w", key, err)
	}
	return t, true, nil
}

// Save records t under key.
func (c *Checkpoints) Save(ctx context.Context, key string, t time.Time) error {
	val, err := t.UTC().MarshalText()
	if err != nil {
		return fmt.Errorf("encoding checkpoint %s: %w", key, err)
	}
	if _, err := c.kv.Put(ctx, "checkpoint/"+key, val); err != nil {
		return fmt.Errorf("saving checkpoint %s: %w", key, err)
	}
	return nil
}
