// Package sourcetest is the conformance suite every event source kind
// passes: a source emits when its input arrives, fills a valid envelope,
// stops promptly on cancel, leaks no goroutine, reports or retries a failed
// publish as its kind requires, and works again after a restart.
//
// A kind's test calls Run with a Harness that builds its source:
//
//	sourcetest.Run(t, sourcetest.Harness{Kind: "webhook", Spec: spec, New: newSource})
package sourcetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource"
)

// Trigger makes a running source produce its next event (a webhook: one
// request; a calendar: advancing its clock to the next timer). It returns
// what the source reported to the sender of that input: nil once the source
// acknowledged it, or an error wrapping eventbus.ErrUnavailable when the
// source answered "try again later" (a webhook's 503). Sources without a
// sender return nil. A trigger waits, within reason, for the source to be
// ready (a webhook's port to be open).
type Trigger func(t *testing.T) error

// Harness describes one source configuration under test.
type Harness struct {
	// Kind is the kind's manifest name, expected as the event's Type.
	Kind string
	// Spec identifies the event; its EventSource name and Name are expected
	// as the event's Source and Subject.
	Spec eventsource.Spec
	// New builds a fresh source on the same configuration each call, and
	// the trigger that drives it. A source built after a previous one
	// stopped must work (it reuses the same port, keys, ...).
	New func(t *testing.T) (eventsource.Source, Trigger)
	// Retries is true for sources that keep an input whose emit failed and
	// emit it again (a calendar), false for those that report the failure to
	// the sender and forget it (a webhook). For a retrying source, calling
	// the trigger after a failed emit must make it try again.
	Retries bool
	// Started receives a value each time a source built by New says it is
	// up (Env.Started set to the func of NewStarted). A kind registered
	// with Kind.ReportsStarted must set it: the suite checks that its
	// sources report.
	Started <-chan struct{}
}

// NewStarted returns the channel for Harness.Started and the func to set
// as Env.Started of the sources New builds.
func NewStarted() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 64)
	return ch, func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Wait bounds how long the suite waits for a source to emit or stop.
var Wait = 10 * time.Second

// Run runs the conformance suite as subtests of t. The subtests do not run
// in parallel: the goroutine-leak check needs a quiet process.
func Run(t *testing.T, h Harness) {
	t.Helper()
	require.NotNil(t, h.New, "Harness.New is required")
	t.Run("emits with a valid envelope", func(t *testing.T) { testEmits(t, h) })
	t.Run("stops on cancel", func(t *testing.T) { testStops(t, h) })
	t.Run("leaks no goroutine", func(t *testing.T) { testNoLeak(t, h) })
	t.Run("publish failure", func(t *testing.T) { testPublishFailure(t, h) })
	t.Run("restart", func(t *testing.T) { testRestart(t, h) })
	t.Run("reports started", func(t *testing.T) { testReportsStarted(t, h) })
}

// running is a source started by the suite.
type running struct {
	cancel context.CancelFunc
	done   chan error
	events chan *event.Event
	fails  chan *event.Event

	mu     sync.Mutex
	failAt map[int]error // emit call number (from 0) → error to return
	calls  int
}

// start builds and starts a source whose emit records events.
func start(t *testing.T, h Harness) (*running, Trigger) {
	t.Helper()
	src, trigger := h.New(t)
	require.NotNil(t, src)
	require.NotNil(t, trigger)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{
		cancel: cancel, done: make(chan error, 1),
		events: make(chan *event.Event, 64), fails: make(chan *event.Event, 64),
		failAt: map[int]error{},
	}
	emit := eventsource.WithEnvelope(h.Spec, h.Kind, r.emit)
	go func() { r.done <- src.Start(ctx, emit) }()
	t.Cleanup(func() { r.stop(t) })
	return r, trigger
}

func (r *running) emit(_ context.Context, ev *event.Event) error {
	r.mu.Lock()
	err := r.failAt[r.calls]
	r.calls++
	r.mu.Unlock()
	cp := *ev
	if err != nil {
		r.fails <- &cp
		return err
	}
	r.events <- &cp
	return nil
}

// failNext makes the next emit call fail with err.
func (r *running) failNext(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failAt[r.calls] = err
}

// next waits for an emitted event.
func (r *running) next(t *testing.T) *event.Event {
	t.Helper()
	select {
	case ev := <-r.events:
		return ev
	case err := <-r.done:
		r.done <- err
		require.FailNow(t, "the source stopped before emitting", "Start returned %v", err)
	case <-time.After(Wait):
		require.FailNow(t, "the source emitted nothing", "no event within %s of the trigger", Wait)
	}
	return nil
}

// stop cancels the source and requires Start to return nil; stopping twice
// is harmless.
func (r *running) stop(t *testing.T) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		require.NoError(t, err, "Start must return nil once its context ends")
	case <-time.After(Wait):
		require.FailNow(t, "the source did not stop", "Start had not returned %s after its context ended", Wait)
	}
}

// requireRunning checks that Start has not returned.
func (r *running) requireRunning(t *testing.T) {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err
		require.FailNow(t, "the source stopped on its own", "Start returned %v", err)
	default:
	}
}

func checkEnvelope(t *testing.T, h Harness, ev *event.Event) {
	t.Helper()
	require.NoError(t, ev.Validate())
	if h.Kind != "" {
		require.Equal(t, h.Kind, ev.Type, "event type")
	}
	if h.Spec.EventSource != nil {
		require.Equal(t, h.Spec.EventSource.Name, ev.Source, "event source")
	}
	require.Equal(t, h.Spec.Name, ev.Subject, "event subject")
	require.False(t, ev.Time.IsZero(), "event time")
	require.NotEmpty(t, ev.Data, "event data")
	require.True(t, json.Valid(ev.Data), "event data must be JSON: %s", ev.Data)
	require.Equal(t, event.ContentTypeJSON, ev.DataContentType)
	_, err := json.Marshal(ev)
	require.NoError(t, err, "the event must encode as a CloudEvent")
}

func testEmits(t *testing.T, h Harness) {
	r, trigger := start(t, h)
	require.NoError(t, trigger(t))
	checkEnvelope(t, h, r.next(t))
	require.NoError(t, trigger(t))
	checkEnvelope(t, h, r.next(t))
	r.stop(t)
}

// testReportsStarted checks that a source of a kind registered with
// Kind.ReportsStarted says it is up once it is, without waiting for an
// input.
func testReportsStarted(t *testing.T, h Harness) {
	k, registered := eventsource.Default.Lookup(h.Kind)
	if !registered || !k.ReportsStarted {
		t.Skip("the kind does not report itself started")
	}
	require.NotNil(t, h.Started, "kind %s reports itself started: set Harness.Started (NewStarted)", h.Kind)
	for len(h.Started) > 0 {
		<-h.Started
	}
	r, _ := start(t, h)
	select {
	case <-h.Started:
	case <-time.After(Wait):
		require.FailNow(t, "the source did not report itself started", "kind %s, within %s", h.Kind, Wait)
	}
	r.stop(t)
}

func testStops(t *testing.T, h Harness) {
	r, trigger := start(t, h)
	require.NoError(t, trigger(t))
	r.next(t)
	r.stop(t)
	// A source that never saw an input stops too.
	r2, _ := start(t, h)
	r2.stop(t)
}

func testNoLeak(t *testing.T, h Harness) {
	ignore := goleak.IgnoreCurrent()
	func() {
		r, trigger := start(t, h)
		require.NoError(t, trigger(t))
		r.next(t)
		r.stop(t)
	}()
	goleak.VerifyNone(t, ignore)
}

func testPublishFailure(t *testing.T, h Harness) {
	r, trigger := start(t, h)
	unavailable := fmt.Errorf("publishing: %w", eventbus.ErrUnavailable)
	r.failNext(unavailable)
	err := trigger(t)
	var failed *event.Event
	select {
	case failed = <-r.fails:
	case <-time.After(Wait):
		require.FailNow(t, "the source did not try to emit", "no emit within %s of the trigger", Wait)
	}
	r.requireRunning(t)
	if !h.Retries {
		require.ErrorIs(t, err, eventbus.ErrUnavailable, "the sender must be told to try again later")
		require.NoError(t, trigger(t), "the source must work again once the bus is back")
		checkEnvelope(t, h, r.next(t))
		r.stop(t)
		return
	}
	require.NoError(t, err)
	// The source retries the same input: its event comes again, same id.
	require.NoError(t, trigger(t))
	ev := r.next(t)
	require.Equal(t, failed.ID, ev.ID, "a retried event keeps its id")
	checkEnvelope(t, h, ev)
	r.stop(t)
}

func testRestart(t *testing.T, h Harness) {
	for i := range 2 {
		r, trigger := start(t, h)
		require.NoError(t, trigger(t), "run %d", i+1)
		checkEnvelope(t, h, r.next(t))
		r.stop(t)
	}
}

// ErrStatus is a helper for triggers of HTTP sources: it turns a response
// status into the error a Trigger returns (nil for 2xx, an error wrapping
// eventbus.ErrUnavailable for 503, another error otherwise).
func ErrStatus(code int) error {
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == 503:
		return fmt.Errorf("status %d: %w", code, eventbus.ErrUnavailable)
	default:
		return fmt.Errorf("status %d", code)
	}
}
