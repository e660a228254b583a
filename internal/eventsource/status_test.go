package eventsource

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// lateStart is one start of a lateSource, driven by the test.
type lateStart struct {
	env  Env
	fail chan error // a value ends the start with it
}

// lateSource hands each of its starts to the test, then runs until the
// test makes it fail or ctx ends; it reports itself started only when the
// test calls its env's ReportStarted.
type lateSource struct {
	env    Env
	starts chan<- *lateStart
}

func (s lateSource) Start(ctx context.Context, _ Emit) error {
	st := &lateStart{env: s.env, fail: make(chan error, 1)}
	select {
	case s.starts <- st:
	case <-ctx.Done():
		return nil
	}
	select {
	case err := <-st.fail:
		return err
	case <-ctx.Done():
		return nil
	}
}

// lateKind is a kind that reports its sources started, with sources handing
// their starts to the returned channel.
func lateKind() (Kind, <-chan *lateStart) {
	starts := make(chan *lateStart)
	k := calendarKind("calendar", func(env Env, _ Spec) Source { return lateSource{env: env, starts: starts} })
	k.ReportsStarted = true
	return k, starts
}

// changeLog records what a Status tells its onChange.
type changeLog struct {
	mu  sync.Mutex
	got []bool
}

func (c *changeLog) add(started bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, started)
}

func (c *changeLog) all() []bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]bool(nil), c.got...)
}

func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		require.FailNow(t, "nothing received")
	}
	var zero T
	return zero
}

// TestStatusWaitsForTheReport: a source of a kind that reports counts as
// started only once it said so, not when its Start was called.
func TestStatusWaitsForTheReport(t *testing.T) {
	kind, starts := lateKind()
	changes := &changeLog{}
	st := NewStatus(changes.add)
	require.False(t, st.Started(), "nothing planned yet")
	require.Nil(t, st.Starting())
	runInBackground(t, NewRegistry(kind), testEventSource("a", "b"), newPublished().publish, WithStatus(st))

	first, second := receive(t, starts), receive(t, starts)
	require.False(t, st.Started(), "both started, neither reported")
	require.Equal(t, []string{"a", "b"}, st.Starting())

	first.env.ReportStarted()
	require.False(t, st.Started(), "one event still starting")
	require.Len(t, st.Starting(), 1)
	second.env.ReportStarted()
	second.env.ReportStarted() // a repeat changes nothing
	require.True(t, st.Started())
	require.Nil(t, st.Starting())
	require.Equal(t, []bool{true}, changes.all())
}

// TestStatusOfKindsThatDoNotReport: a source of an older kind counts as
// started once its Start was called.
func TestStatusOfKindsThatDoNotReport(t *testing.T) {
	starts := &atomic.Int32{}
	reg := NewRegistry(scriptedKind("calendar", func(string) *scripted { return &scripted{starts: starts} }))
	st := NewStatus(nil)
	stop := runInBackground(t, reg, testEventSource("a", "b"), newPublished().publish, WithStatus(st))
	require.Eventually(t, st.Started, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, stop())
	require.False(t, st.Started(), "stopped sources are not started")
	require.Equal(t, []string{"a", "b"}, st.Starting())
}

// TestStatusAfterARestart: a source that failed is not started until its
// next start reports; a late report of the failed start does not count.
func TestStatusAfterARestart(t *testing.T) {
	kind, starts := lateKind()
	changes := &changeLog{}
	st := NewStatus(changes.add)
	runInBackground(t, NewRegistry(kind), testEventSource("tick"), newPublished().publish,
		WithStatus(st), WithRestartBackoff(time.Millisecond, time.Millisecond))

	first := receive(t, starts)
	first.env.ReportStarted()
	require.True(t, st.Started())

	first.fail <- errors.New("lost the connection")
	second := receive(t, starts)
	require.False(t, st.Started(), "restarted, not reported yet")
	require.Equal(t, []string{"tick"}, st.Starting())
	first.env.ReportStarted()
	require.False(t, st.Started(), "the failed start's report is ignored")

	second.env.ReportStarted()
	require.True(t, st.Started())
	require.Equal(t, []bool{true, false, true}, changes.all())
}
