package sourcetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventsource"
)

// Background starts src with emit in a goroutine. The source is stopped
// when the test ends, or earlier by calling stop (once is enough; later
// calls do nothing), and Start must then return nil within Wait.
func Background(t *testing.T, src eventsource.Source, emit eventsource.Emit) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Start(ctx, emit) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(Wait):
				require.FailNow(t, "the source did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// Running is a source started by Record: it runs in the background and
// what it emits is recorded.
type Running struct {
	// Recorder is the source's emit: Next waits for the source's next
	// event; SetErr makes its emits fail, as while the bus is down.
	*Recorder
	// Source is the source, for checks of its own (its counters, ...).
	Source eventsource.Source
	// Stop stops the source before the test ends, as Background's stop.
	Stop func()
}

// Record starts src in the background (Background) with the Emit of a new
// Recorder, for a kind's own tests beside the suite. The events recorded
// are those src emits, without the envelope the runner adds.
func Record(t *testing.T, src eventsource.Source) *Running {
	t.Helper()
	rec := &Recorder{}
	return &Running{Recorder: rec, Source: src, Stop: Background(t, src, rec.Emit)}
}
