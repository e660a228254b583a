package transform

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestRunLimit checks the pooled time limit of a jq run: done with
// DeadlineExceeded once the limit passes, never reused after that, and
// reused (not done) when stopped in time.
func TestRunLimit(t *testing.T) {
	l := startLimit(10 * time.Millisecond)
	deadline, ok := l.Deadline()
	require.True(t, ok)
	require.WithinDuration(t, time.Now().Add(10*time.Millisecond), deadline, time.Second)
	select {
	case <-l.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the limit did not pass")
	}
	require.ErrorIs(t, l.Err(), context.DeadlineExceeded)
	l.stop()

	for range 100 {
		m := startLimit(time.Hour)
		require.NotSame(t, l, m, "a limit that passed is not reused")
		require.NoError(t, m.Err())
		select {
		case <-m.Done():
			t.Fatal("a fresh limit is done")
		default:
		}
		m.stop()
	}
}
