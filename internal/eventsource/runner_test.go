package eventsource

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// scripted is a source whose behaviour a test sets: fail the first starts,
// then emit some events and wait for the end.
type scripted struct {
	starts   *atomic.Int32
	failFor  int32 // starts that fail
	panicAt  int32 // start number (from 1) that panics; 0: none
	emit     []*event.Event
	returned *atomic.Int32 // counts returns after the context ended
}

func (s *scripted) Start(ctx context.Context, emit Emit) error {
	n := s.starts.Add(1)
	if n == s.panicAt {
		panic("boom")
	}
	if n <= s.failFor {
		return errors.New("cannot start")
	}
	for _, ev := range s.emit {
		cp := *ev
		_ = emit(ctx, &cp)
	}
	<-ctx.Done()
	if s.returned != nil {
		s.returned.Add(1)
	}
	return nil
}

// scriptedKind is a kind named like a manifest kind, reading spec.Calendar
// (only the names matter), whose sources run the script.
func scriptedKind(name string, script func(ev string) *scripted) Kind {
	return calendarKind(name, func(_ Env, spec Spec) Source { return script(spec.Name) })
}

// calendarKind is a kind named like a manifest kind, reading spec.Calendar
// (only the names matter), whose sources newSource builds.
func calendarKind(name string, newSource func(Env, Spec) Source) Kind {
	return Kind{
		Name: name,
		Configs: func(spec *v1alpha1.EventSourceSpec) map[string]any {
			out := map[string]any{}
			for n := range spec.Calendar {
				out[n] = n
			}
			return out
		},
		New: func(env Env, spec Spec) (Source, error) { return newSource(env, spec), nil },
	}
}

func testEventSource(events ...string) *v1alpha1.EventSource {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "es", Namespace: "ns"}}
	es.Spec.Calendar = map[string]v1alpha1.CalendarEventSource{}
	for _, e := range events {
		es.Spec.Calendar[e] = v1alpha1.CalendarEventSource{Interval: "1s"}
	}
	return es
}

// published records what the runner publishes.
type published struct {
	mu     sync.Mutex
	events []*event.Event
	err    error
	seen   chan struct{}
}

func newPublished() *published { return &published{seen: make(chan struct{}, 100)} }

func (p *published) publish(_ context.Context, ev *event.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer func() { p.seen <- struct{}{} }()
	if p.err != nil {
		return p.err
	}
	p.events = append(p.events, ev)
	return nil
}

func (p *published) wait(t *testing.T, n int) []*event.Event {
	t.Helper()
	for range n {
		select {
		case <-p.seen:
		case <-time.After(10 * time.Second):
			require.FailNow(t, "nothing published")
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*event.Event(nil), p.events...)
}

// runInBackground runs Run and returns a func that stops it and returns
// its error.
func runInBackground(t *testing.T, reg *Registry, es *v1alpha1.EventSource, publish Emit, opts ...RunOption) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, reg, Env{}, es, publish, opts...) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			return errors.New("Run did not return")
		}
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func TestRunFillsEnvelope(t *testing.T) {
	starts := &atomic.Int32{}
	reg := NewRegistry(scriptedKind("calendar", func(string) *scripted {
		return &scripted{starts: starts, emit: []*event.Event{
			{Data: []byte(`{"a":1}`)},
			{ID: "natural-id", Data: []byte("not json"), Time: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		}}
	}))
	pub := newPublished()
	stop := runInBackground(t, reg, testEventSource("tick"), pub.publish)
	evs := pub.wait(t, 2)
	require.NoError(t, stop())

	first, second := evs[0], evs[1]
	require.Len(t, first.ID, 36, "a UUID")
	require.Equal(t, "es", first.Source)
	require.Equal(t, "tick", first.Subject)
	require.Equal(t, "calendar", first.Type)
	require.False(t, first.Time.IsZero())
	require.Equal(t, event.ContentTypeJSON, first.DataContentType)
	require.NoError(t, first.Validate())

	require.Equal(t, "natural-id", second.ID, "a source's own id is kept")
	require.Empty(t, second.DataContentType, "no JSON content type for data that is not JSON")
	require.Equal(t, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), second.Time)
}

func TestRunRestartsFailingSources(t *testing.T) {
	starts := &atomic.Int32{}
	reg := NewRegistry(scriptedKind("calendar", func(string) *scripted {
		return &scripted{starts: starts, failFor: 2, panicAt: 3, emit: []*event.Event{{Data: []byte(`{}`)}}}
	}))
	pub := newPublished()
	stats := &Stats{}
	stop := runInBackground(t, reg, testEventSource("tick"), pub.publish,
		WithRestartBackoff(time.Millisecond, 5*time.Millisecond), WithMetrics(stats))
	pub.wait(t, 1)
	require.NoError(t, stop())
	require.Equal(t, int32(4), starts.Load(), "two errors and a panic, then a start that runs")
	require.Equal(t, Counts{Emitted: 1, Restarts: 3}, stats.Snapshot()[StatsKey{"ns", "es", "tick"}])
}

func TestRunCountsFailedPublishes(t *testing.T) {
	starts := &atomic.Int32{}
	reg := NewRegistry(scriptedKind("calendar", func(string) *scripted {
		return &scripted{starts: starts, emit: []*event.Event{{Data: []byte(`{}`)}, {Data: []byte(`{}`)}}}
	}))
	pub := newPublished()
	pub.err = errors.New("bus down")
	stats := &Stats{}
	stop := runInBackground(t, reg, testEventSource("a", "b"), pub.publish, WithMetrics(stats))
	pub.wait(t, 4)
	require.NoError(t, stop())
	snap := stats.Snapshot()
	require.Equal(t, Counts{Failed: 2}, snap[StatsKey{"ns", "es", "a"}])
	require.Equal(t, Counts{Failed: 2}, snap[StatsKey{"ns", "es", "b"}])
}

// TestRunStopsEverySource: Run returns only after every source returned.
func TestRunStopsEverySource(t *testing.T) {
	starts, returned := &atomic.Int32{}, &atomic.Int32{}
	reg := NewRegistry(scriptedKind("calendar", func(string) *scripted {
		return &scripted{starts: starts, returned: returned, emit: []*event.Event{{Data: []byte(`{}`)}}}
	}))
	pub := newPublished()
	stop := runInBackground(t, reg, testEventSource("a", "b", "c"), pub.publish)
	pub.wait(t, 3)
	require.NoError(t, stop())
	require.Equal(t, int32(3), returned.Load(), "every source had returned when Run did")
	require.Equal(t, int32(3), starts.Load())
}

func TestRunRejectsUnknownKinds(t *testing.T) {
	reg := NewRegistry(scriptedKind("calendar", func(string) *scripted { return nil }))
	es := testEventSource("tick")
	es.Spec.Webhook = map[string]v1alpha1.WebhookEventSource{"hook": {}}
	es.Spec.PubSub = map[string]v1alpha1.PubSubEventSource{"sub": {}}
	err := Run(t.Context(), reg, Env{}, es, func(context.Context, *event.Event) error { return nil })
	require.EqualError(t, err, "running eventsource es: event source kinds pubSub, webhook are not supported (supported: calendar)")
}

func TestRunRejectsNoEvents(t *testing.T) {
	reg := NewRegistry(scriptedKind("calendar", func(string) *scripted { return nil }))
	err := Run(t.Context(), reg, Env{}, testEventSource(), func(context.Context, *event.Event) error { return nil })
	require.EqualError(t, err, "running eventsource es: it declares no events")
}

func TestUsedKinds(t *testing.T) {
	spec := &v1alpha1.EventSourceSpec{
		Webhook:         map[string]v1alpha1.WebhookEventSource{"a": {}},
		BitbucketServer: map[string]v1alpha1.BitbucketServerEventSource{"b": {}},
		Calendar:        map[string]v1alpha1.CalendarEventSource{},
		Service:         &v1alpha1.Service{},
	}
	require.Equal(t, []string{"bitbucketserver", "webhook"}, usedKinds(spec))
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt int
		want    time.Duration
	}{{0, time.Second}, {1, 2 * time.Second}, {2, 4 * time.Second}, {4, 16 * time.Second}, {5, 30 * time.Second}, {60, 30 * time.Second}}
	for _, tt := range tests {
		for range 20 {
			d := backoff(tt.attempt, time.Second, 30*time.Second)
			require.InDelta(t, float64(tt.want), float64(d), float64(tt.want)*0.2, "attempt %d", tt.attempt)
		}
	}
}

func TestStatsConcurrent(t *testing.T) {
	s := &Stats{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				s.EventEmitted("ns", "es", "a")
				s.EventFailed("ns", "es", "b")
			}
		})
	}
	wg.Wait()
	snap := s.Snapshot()
	require.Equal(t, Counts{Emitted: 8000}, snap[StatsKey{"ns", "es", "a"}])
	require.Equal(t, Counts{Failed: 8000}, snap[StatsKey{"ns", "es", "b"}])
}
