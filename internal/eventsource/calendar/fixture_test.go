package calendar

import (
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

// fakeClock is a Clock that moves only when the test says so.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers map[*fakeTimer]struct{}
}

type fakeTimer struct {
	at time.Time
	c  chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, timers: map[*fakeTimer]struct{}{}}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Timer(d time.Duration) (<-chan time.Time, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), c: make(chan time.Time, 1)}
	if d <= 0 {
		t.c <- c.now
		return t.c, func() {}
	}
	c.timers[t] = struct{}{}
	return t.c, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.timers, t)
	}
}

// pending counts the timers waiting.
func (c *fakeClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// waitPending waits until the source waits on a timer.
func (c *fakeClock) waitPending(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool { return c.pending() > 0 }, 10*time.Second, time.Millisecond, "the source never waited on the clock")
}

// fireNext waits until a timer is pending, moves the clock to the earliest
// one and fires every timer due.
func (c *fakeClock) fireNext(t *testing.T) {
	t.Helper()
	c.waitPending(t)
	c.mu.Lock()
	defer c.mu.Unlock()
	var first *fakeTimer
	for tm := range c.timers {
		if first == nil || tm.at.Before(first.at) {
			first = tm
		}
	}
	if first.at.After(c.now) {
		c.now = first.at
	}
	for tm := range c.timers {
		if !tm.at.After(c.now) {
			tm.c <- c.now
			delete(c.timers, tm)
		}
	}
}

// set moves the clock without firing anything (while no source runs).
func (c *fakeClock) set(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
}

func testEnv(cp eventsource.Checkpoints) eventsource.Env {
	return eventsource.Env{Logger: slog.New(slog.DiscardHandler), Namespace: "argo-events", Checkpoints: cp}
}

func testSpec(cfg *v1alpha1.CalendarEventSource) eventsource.Spec {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "cal", Namespace: "argo-events"}}
	return eventsource.Spec{EventSource: es, Name: "tick", Config: cfg}
}

// run builds the source of cfg on clock and runs it in the background,
// recording its events, until the test ends or Stop is called.
func run(t *testing.T, env eventsource.Env, cfg *v1alpha1.CalendarEventSource, clock Clock) *sourcetest.Running {
	t.Helper()
	src, err := New(env, testSpec(cfg), WithClock(clock))
	require.NoError(t, err)
	return sourcetest.Record(t, src)
}

// eventTime returns the eventTime of a calendar event's data.
func eventTime(t *testing.T, ev *event.Event) string {
	t.Helper()
	var p payload
	require.NoError(t, json.Unmarshal(ev.Data, &p))
	return p.EventTime
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return v
}
