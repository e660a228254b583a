package sourcetest

import (
	"context"
	"sync"

	"github.com/herald-dev/herald/internal/event"
)

// Recorder is an eventsource.Emit (its Emit method) that records a copy of
// every event it is given, and fails without recording while an error is set
// with SetErr. It is safe for concurrent use; the zero value is ready.
type Recorder struct {
	mu     sync.Mutex
	events []*event.Event
	err    error
	tries  int
}

// Emit records a copy of ev, or returns the error set with SetErr.
func (r *Recorder) Emit(_ context.Context, ev *event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tries++
	if r.err != nil {
		return r.err
	}
	cp := *ev
	r.events = append(r.events, &cp)
	return nil
}

// SetErr makes Emit fail with err from now on; nil makes it record again.
func (r *Recorder) SetErr(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

// Events returns the events recorded so far, oldest first.
func (r *Recorder) Events() []*event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*event.Event(nil), r.events...)
}

// Attempts returns how many times Emit was called, failed calls included.
func (r *Recorder) Attempts() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tries
}
