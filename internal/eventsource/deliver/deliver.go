// Package deliver publishes the events of sources that keep their input
// until its event is stored (a NATS message, a file change, an MQTT or AMQP
// message not yet acknowledged, a Kafka record, a Redis stream entry):
// while the bus is unavailable, the event is kept and published again, with
// backoff, until it goes through or the source stops.
package deliver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource"
)

// Retry delays of a publish the bus could not take: doubling from the
// first to the last.
var (
	FirstDelay = 100 * time.Millisecond
	MaxDelay   = 10 * time.Second
)

// Emit passes ev to emit until it is published. An error wrapping
// eventbus.ErrUnavailable is retried (the same event, same id, after a
// delay); another error is final and returned wrapped; ctx's error is
// returned when ctx ends before the event was published. log receives a
// warning for each retry.
func Emit(ctx context.Context, emit eventsource.Emit, ev *event.Event, log *slog.Logger) error {
	return retry(ctx, emit, ev, log, func(err error) bool { return errors.Is(err, eventbus.ErrUnavailable) })
}

// EmitRetryingAll passes ev to emit until it is published, retrying every
// error as Emit retries eventbus.ErrUnavailable: for sources that hold
// their input (a Kafka partition, a Redis stream entry) until its event is
// stored. It returns nil once ev is published, and ctx's error when ctx
// ends first.
func EmitRetryingAll(ctx context.Context, emit eventsource.Emit, ev *event.Event, log *slog.Logger) error {
	return retry(ctx, emit, ev, log, func(error) bool { return true })
}

// retry passes ev to emit until it is published, retrying the errors
// retryable accepts with doubling delays.
func retry(ctx context.Context, emit eventsource.Emit, ev *event.Event, log *slog.Logger, retryable func(error) bool) error {
	delay := FirstDelay
	for {
		err := emit(ctx, ev)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case !retryable(err):
			return fmt.Errorf("publishing event %s: %w", ev.ID, err)
		}
		log.Warn("event not published; retrying", "event_id", ev.ID, "error", err, "retry_in", delay)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, MaxDelay)
	}
}
