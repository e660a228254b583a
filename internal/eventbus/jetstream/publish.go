package jetstream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
)

// Publish stores ev under <prefix>.<eventsource>.<event> with ev.ID as its
// deduplication id and waits for the server's ack. The publish itself is
// asynchronous, so many goroutines publishing at once share the round trips;
// at most Options.MaxInFlight wait for an ack, the others wait for a slot.
//
// Errors wrap event.ErrInvalid for an invalid event, eventbus.ErrClosed
// after Close, and eventbus.ErrUnavailable when trying again may succeed:
// not connected, no ack or no slot within Options.PublishTimeout, ctx ended,
// or the server could not store the event now.
func (b *Bus) Publish(ctx context.Context, ev *event.Event) (eventbus.PublishAck, error) {
	if ev == nil {
		return eventbus.PublishAck{}, fmt.Errorf("publishing: %w: nil event", event.ErrInvalid)
	}
	if err := ev.Validate(); err != nil {
		return eventbus.PublishAck{}, fmt.Errorf("publishing event %q: %w", ev.ID, err)
	}
	data, err := ev.MarshalJSON()
	if err != nil {
		return eventbus.PublishAck{}, fmt.Errorf("publishing event %s: encoding: %w", ev.ID, err)
	}
	if err := b.enter(); err != nil {
		return eventbus.PublishAck{}, fmt.Errorf("publishing event %s: %w", ev.ID, err)
	}
	defer b.work.Done()
	if err := b.StoreFault(); err != nil {
		b.stats.refused.Add(1)
		return eventbus.PublishAck{}, fmt.Errorf("publishing event %s: %w: the event bus cannot write to its store (%w); restart the process once the disk has room", ev.ID, eventbus.ErrUnavailable, err)
	}
	if why := b.backlog.refusal(); why != "" {
		b.stats.refused.Add(1)
		return eventbus.PublishAck{}, fmt.Errorf("publishing event %s: %w: %s", ev.ID, eventbus.ErrUnavailable, why)
	}
	subject := b.subjects.event(ev.Source, ev.Subject)
	ack, err := b.publish(ctx, ev.ID, subject, data)
	if err != nil {
		b.stats.publishErrors.Add(1)
		b.log.Debug("event publish failed", "subject", subject, "event_id", ev.ID, "error", err)
		return eventbus.PublishAck{}, fmt.Errorf("publishing event %s: %w", ev.ID, err)
	}
	b.stats.published.Add(1)
	if ack.Duplicate {
		b.stats.duplicates.Add(1)
	} else {
		b.published()
	}
	return ack, nil
}

// publish sends data and waits for its ack, all within PublishTimeout.
func (b *Bus) publish(ctx context.Context, id, subject string, data []byte) (eventbus.PublishAck, error) {
	if err := ctx.Err(); err != nil {
		return eventbus.PublishAck{}, fmt.Errorf("%w: %w", eventbus.ErrUnavailable, err)
	}
	timer := time.NewTimer(b.opts.PublishTimeout)
	defer timer.Stop()
	select {
	case b.slots <- struct{}{}:
	default:
		select {
		case b.slots <- struct{}{}:
		case <-timer.C:
			return eventbus.PublishAck{}, fmt.Errorf("%w: %d publishes awaiting their ack for %s", eventbus.ErrUnavailable, cap(b.slots), b.opts.PublishTimeout)
		case <-ctx.Done():
			return eventbus.PublishAck{}, fmt.Errorf("%w: waiting for a publish slot: %w", eventbus.ErrUnavailable, ctx.Err())
		}
	}
	b.stats.inFlight.Add(1)
	defer func() {
		<-b.slots
		b.stats.inFlight.Add(-1)
	}()

	if !b.nc.IsConnected() {
		return eventbus.PublishAck{}, fmt.Errorf("%w: not connected to NATS (%s)", eventbus.ErrUnavailable, b.nc.Status())
	}
	msg := &nats.Msg{
		Subject: subject,
		Data:    data,
		Header: nats.Header{
			jetstream.MsgIDHeader:          []string{id},
			jetstream.ExpectedStreamHeader: []string{b.stream},
		},
	}
	fut, err := b.js.PublishMsgAsync(msg)
	if err != nil {
		return eventbus.PublishAck{}, b.classify(err)
	}
	select {
	case pa := <-fut.Ok():
		return eventbus.PublishAck{Stream: pa.Stream, Sequence: pa.Sequence, Duplicate: pa.Duplicate}, nil
	case err := <-fut.Err():
		return eventbus.PublishAck{}, b.classify(err)
	case <-timer.C:
		return eventbus.PublishAck{}, fmt.Errorf("%w: no ack within %s", eventbus.ErrUnavailable, b.opts.PublishTimeout)
	case <-ctx.Done():
		return eventbus.PublishAck{}, fmt.Errorf("%w: waiting for the ack: %w", eventbus.ErrUnavailable, ctx.Err())
	}
}

// classify wraps a publish error in eventbus.ErrUnavailable unless the
// server refused the message for good.
func (b *Bus) classify(err error) error {
	if errors.Is(err, nats.ErrMaxPayload) {
		return fmt.Errorf("%w (at most %d bytes with its headers): %w", eventbus.ErrTooLarge, b.nc.MaxPayload(), err)
	}
	if isPermanent(err) {
		return err
	}
	if errors.Is(err, jetstream.ErrNoStreamResponse) {
		// Connected, yet no stream listens: it was deleted or lost.
		b.repairStream()
	}
	return fmt.Errorf("%w: %w", eventbus.ErrUnavailable, err)
}
