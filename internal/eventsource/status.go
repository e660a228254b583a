package eventsource

import (
	"sync"
	"sync/atomic"
)

// Status follows which events of a running EventSource have started, for a
// readiness check. A source of a kind with Kind.ReportsStarted has started
// once it called Env.ReportStarted (a webhook's port is bound, a watch has
// synced); a source of another kind once its Start has been called. A source
// that failed is not started again until its next start counts as above.
//
// Give a Status to one Run with WithStatus. Its methods are safe for
// concurrent use; Started costs one atomic load.
type Status struct {
	onChange func(started bool)
	started  atomic.Bool

	mu      sync.Mutex
	events  []*eventStatus
	waiting int // events not started, once planned
}

// eventStatus is what a Status knows of one event.
type eventStatus struct {
	name string
	// run numbers the source's starts: a report from an earlier start,
	// arriving late, is ignored.
	run     int
	started bool
}

// NewStatus returns the Status of an EventSource that has not started.
// onChange, when not nil, is called each time the EventSource as a whole
// becomes started or stops being so, with the Status's lock held: keep it
// quick and do not call the Status from it.
func NewStatus(onChange func(started bool)) *Status {
	return &Status{onChange: onChange}
}

// WithStatus has Run keep s up to date.
func WithStatus(s *Status) RunOption {
	return func(c *runConfig) { c.status = s }
}

// Started reports whether every event of the EventSource has started.
func (s *Status) Started() bool { return s.started.Load() }

// Starting returns the names of the events that have not started, in the
// order Run runs them (by kind, then name); nil when all have, and before
// Run has listed them.
func (s *Status) Starting() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, e := range s.events {
		if !e.started {
			names = append(names, e.name)
		}
	}
	return names
}

// plan records the events about to run, none started yet.
func (s *Status) plan(units []unit) []*eventStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = make([]*eventStatus, len(units))
	for i, u := range units {
		s.events[i] = &eventStatus{name: u.spec.Name}
	}
	s.waiting = len(units)
	s.update()
	return s.events
}

// begin is called before each start of e's source; it returns what the
// source calls once it is up (Env.Started).
func (s *Status) begin(e *eventStatus) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.run++
	run := e.run
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if e.run == run {
			s.set(e, true)
		}
	}
}

// end is called once a start of e's source has returned.
func (s *Status) end(e *eventStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.run++
	s.set(e, false)
}

// set records whether e has started; s.mu is held.
func (s *Status) set(e *eventStatus, started bool) {
	if e.started == started {
		return
	}
	e.started = started
	if started {
		s.waiting--
	} else {
		s.waiting++
	}
	s.update()
}

// update recomputes Started and tells onChange when it changed; s.mu is held.
func (s *Status) update() {
	all := len(s.events) > 0 && s.waiting == 0
	if s.started.Swap(all) != all && s.onChange != nil {
		s.onChange(all)
	}
}
