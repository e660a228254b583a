package eventsource

import (
	"context"
	"sync"
	"time"
)

// Checkpoints stores, per key, the time up to which a source has durably
// published its events, so that a restarted source neither skips nor repeats
// work. A calendar saves the scheduled time of each fire only after Emit
// returned nil.
type Checkpoints interface {
	// Load returns the time saved under key; ok is false when none was.
	Load(ctx context.Context, key string) (t time.Time, ok bool, err error)
	// Save records t under key.
	Save(ctx context.Context, key string, t time.Time) error
}

// MemoryCheckpoints keeps checkpoints in memory: they survive a source's
// restart within the process, not the process's. The zero value is ready.
type MemoryCheckpoints struct {
	mu sync.Mutex
	m  map[string]time.Time
}

var _ Checkpoints = (*MemoryCheckpoints)(nil)

// Load returns the time saved under key.
func (c *MemoryCheckpoints) Load(_ context.Context, key string) (time.Time, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[key]
	return t, ok, nil
}

// Save records t under key.
func (c *MemoryCheckpoints) Save(_ context.Context, key string, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]time.Time{}
	}
	c.m[key] = t
	return nil
}
