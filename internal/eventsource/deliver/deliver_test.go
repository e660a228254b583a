package deliver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
)

func TestEmit(t *testing.T) {
	FirstDelay = time.Millisecond
	log := slog.New(slog.DiscardHandler)
	unavailable := fmt.Errorf("publishing: %w", eventbus.ErrUnavailable)
	t.Run("retries while the bus is unavailable, with the same event", func(t *testing.T) {
		var ids []string
		err := Emit(t.Context(), func(_ context.Context, ev *event.Event) error {
			ids = append(ids, ev.ID)
			if len(ids) < 3 {
				return unavailable
			}
			return nil
		}, &event.Event{ID: "e1"}, log)
		require.NoError(t, err)
		require.Equal(t, []string{"e1", "e1", "e1"}, ids)
	})
	t.Run("another error is final", func(t *testing.T) {
		calls := 0
		err := Emit(t.Context(), func(context.Context, *event.Event) error {
			calls++
			return errors.New("too large")
		}, &event.Event{ID: "e1"}, log)
		require.EqualError(t, err, "publishing event e1: too large")
		require.Equal(t, 1, calls)
	})
	t.Run("stops when the context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		err := Emit(ctx, func(context.Context, *event.Event) error {
			cancel()
			return unavailable
		}, &event.Event{ID: "e1"}, log)
		require.ErrorIs(t, err, context.Canceled)
	})
}

func TestEmitRetryingAll(t *testing.T) {
	FirstDelay = time.Millisecond
	log := slog.New(slog.DiscardHandler)
	t.Run("retries every error, with the same event", func(t *testing.T) {
		var ids []string
		err := EmitRetryingAll(t.Context(), func(_ context.Context, ev *event.Event) error {
			ids = append(ids, ev.ID)
			if len(ids) < 3 {
				return errors.New("too large")
			}
			return nil
		}, &event.Event{ID: "e1"}, log)
		require.NoError(t, err)
		require.Equal(t, []string{"e1", "e1", "e1"}, ids)
	})
	t.Run("stops when the context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		err := EmitRetryingAll(ctx, func(context.Context, *event.Event) error {
			cancel()
			return errors.New("too large")
		}, &event.Event{ID: "e1"}, log)
		require.ErrorIs(t, err, context.Canceled)
	})
}
