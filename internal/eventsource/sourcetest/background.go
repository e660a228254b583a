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
