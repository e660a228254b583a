package sourcetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/event"
)

// Recorder is an eventsource.Emit (its Emit method) that records a copy of
// every event it is given, and fails without recording it as emitted while
// an error is set with SetErr. It is safe for concurrent use; the zero value
// is ready.
type Recorder struct {
	mu     sync.Mutex
	events []*event.Event
	err    error
	tried  []*event.Event // every event Emit was given
	read   int            // events Next has returned
}

// Emit records a copy of ev as emitted, or returns the error set with
// SetErr; either way ev is recorded as tried.
func (r *Recorder) Emit(_ context.Context, ev *event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cp := *ev
	r.tried = append(r.tried, &cp)
	if r.err != nil {
		return r.err
	}
	r.events = append(r.events, &cp)
	return nil
}

// SetErr makes Emit fail with err from now on; nil makes it record again.
func (r *Recorder) SetErr(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

// Events returns the events emitted so far (failed calls left out), oldest
// first.
func (r *Recorder) Events() []*event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*event.Event(nil), r.events...)
}

// Attempts returns how many times Emit was called, failed calls included.
// Attempts() > len(Events()) once an emit has failed.
func (r *Recorder) Attempts() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.tried)
}

// Tried returns every event Emit was given, failed calls included, oldest
// first: what a source passed on while the bus was down (a retry's id, ...).
func (r *Recorder) Tried() []*event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*event.Event(nil), r.tried...)
}

// Next returns the oldest recorded event that Next has not returned yet,
// waiting for it within Wait; it fails the test if none comes. Events
// returns every event whether Next returned it or not.
func (r *Recorder) Next(t *testing.T) *event.Event {
	t.Helper()
	var ev *event.Event
	require.Eventually(t, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.read == len(r.events) {
			return false
		}
		ev = r.events[r.read]
		r.read++
		return true
	}, Wait, 10*time.Millisecond, "no event within %s", Wait)
	return ev
}
