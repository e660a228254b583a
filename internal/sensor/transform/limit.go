package transform

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// runLimit is the context a jq program runs under: done when the
// transform's time limit passes. gojq polls Done at every step, so the
// context only has to be closed in time, not be watched.
//
// context.WithTimeout cost every run a context, a timer, a channel and a
// registration with the caller's context (a few percent of a Sensor's
// evaluation); a runLimit and its timer are reused from a pool, and a run
// allocates nothing. The caller's cancellation is checked before the run,
// not during it: a run that started ends within the time limit anyway.
type runLimit struct {
	timer    *time.Timer
	done     chan struct{}
	expired  atomic.Bool
	deadline time.Time
}

var runLimits sync.Pool

// startLimit returns a runLimit that is done d from now; release it with
// stop when the run ends.
func startLimit(d time.Duration) *runLimit {
	l, _ := runLimits.Get().(*runLimit)
	if l == nil {
		l = &runLimit{done: make(chan struct{})}
		l.timer = time.AfterFunc(d, l.expire)
	} else {
		l.timer.Reset(d)
	}
	l.deadline = time.Now().Add(d)
	return l
}

func (l *runLimit) expire() {
	l.expired.Store(true)
	close(l.done)
}

// stop ends l's use. A limit whose timer had not fired goes back to the
// pool; one that fired (its channel closed) is left to the collector.
func (l *runLimit) stop() {
	if l.timer.Stop() {
		runLimits.Put(l)
	}
}

func (l *runLimit) Deadline() (time.Time, bool) { return l.deadline, true }
func (l *runLimit) Done() <-chan struct{}       { return l.done }
func (l *runLimit) Value(any) any               { return nil }

func (l *runLimit) Err() error {
	if l.expired.Load() {
		return context.DeadlineExceeded
	}
	return nil
}
