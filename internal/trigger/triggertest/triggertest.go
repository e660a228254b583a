// Package triggertest is the conformance suite every trigger kind passes:
// it fires, it is safe for concurrent use, it stops when its context ends,
// and it leaks no goroutine.
package triggertest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/herald-dev/herald/internal/trigger"
)

// promptly bounds how long a trigger may take to return once its context has
// ended. It is generous: the check is about not hanging, not about speed.
const promptly = 10 * time.Second

// Harness describes the kind under test.
type Harness struct {
	// New builds a trigger that succeeds. Everything it starts (servers,
	// connections) is released by cleanups registered on t.
	New func(t *testing.T) trigger.Trigger
	// Request returns the request of the i-th firing.
	Request func(i int) *trigger.Request
	// Blocking, when set, builds a trigger whose Execute waits until its
	// context ends (e.g. a server that never answers), with cleanups on t.
	// Without it only an already-ended context is checked.
	Blocking func(t *testing.T) trigger.Trigger
	// Workers and Firings size the concurrency check; 8 and 25 when 0.
	Workers, Firings int
}

// Run runs the suite as subtests of t.
func Run(t *testing.T, h Harness) {
	t.Helper()
	require.NotNil(t, h.New, "Harness.New")
	require.NotNil(t, h.Request, "Harness.Request")
	workers, firings := h.Workers, h.Firings
	if workers == 0 {
		workers = 8
	}
	if firings == 0 {
		firings = 25
	}

	t.Run("succeeds", func(t *testing.T) {
		noLeak(t)
		tr := h.New(t)
		for i := range 3 {
			_, err := tr.Execute(t.Context(), h.Request(i))
			require.NoError(t, err)
		}
	})

	t.Run("concurrent", func(t *testing.T) {
		noLeak(t)
		tr := h.New(t)
		errs := make(chan error, workers*firings)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range firings {
					_, err := tr.Execute(t.Context(), h.Request(w*firings+i))
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	})

	t.Run("ended context", func(t *testing.T) {
		noLeak(t)
		tr := h.New(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		returns(t, func() { _, _ = tr.Execute(ctx, h.Request(0)) })
	})

	if h.Blocking != nil {
		t.Run("cancel while blocked", func(t *testing.T) {
			noLeak(t)
			tr := h.Blocking(t)
			ctx, cancel := context.WithCancel(t.Context())
			var err error
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, err = tr.Execute(ctx, h.Request(0))
			}()
			cancel()
			select {
			case <-done:
			case <-time.After(promptly):
				t.Fatalf("Execute did not return within %s of its context ending", promptly)
			}
			require.Error(t, err)
			require.False(t, trigger.IsTerminal(err), "a cancelled firing must stay retryable: %v", err)
		})
	}
}

// returns fails t when f does not return promptly.
func returns(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(promptly):
		t.Fatalf("Execute did not return within %s of its context ending", promptly)
	}
}

// noLeak checks, after every other cleanup of t, that no goroutine started
// during the test is left.
func noLeak(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}
