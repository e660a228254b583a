// Package eventbus defines how Herald's sources publish events and Sensors
// consume them: small role interfaces with at-least-once semantics. The NATS
// JetStream implementation lives in eventbus/jetstream; nothing else imports
// nats.go.
package eventbus

import (
	"context"
	"errors"
	"time"

	"github.com/herald-dev/herald/internal/event"
)

// Sentinel errors at the package boundary, checked with errors.Is.
var (
	// ErrUnavailable: the bus cannot take the publish now (not connected,
	// no ack in time, over its in-flight limit). The caller should answer
	// "try again later" (a webhook: 503 with Retry-After) and keep its input.
	ErrUnavailable = errors.New("event bus unavailable")
	// ErrClosed: the bus was closed.
	ErrClosed = errors.New("event bus closed")
	// ErrTooLarge: the event is larger than the bus takes (its server's
	// max payload). Trying again does not help; a webhook answers 413.
	ErrTooLarge = errors.New("event larger than the event bus takes")
)

// PublishAck is the bus's receipt for a durable publish.
type PublishAck struct {
	// Stream is the stream that stored the event.
	Stream string
	// Sequence is the event's position in the stream.
	Sequence uint64
	// Duplicate is true when an event with the same id was already stored
	// within the deduplication window; it was not stored again.
	Duplicate bool
}

// Publisher publishes events durably.
type Publisher interface {
	// Publish stores ev on the bus under the subject of its source and name,
	// with ev.ID as the deduplication id, and returns only once the bus has
	// acknowledged it (or failed). It is safe for concurrent use; the number
	// of publishes awaiting an ack is bounded. Errors wrap ErrUnavailable
	// when trying again later may succeed.
	Publish(ctx context.Context, ev *event.Event) (PublishAck, error)
}

// Message is one delivered event awaiting its fate. Exactly one of Ack, Nak
// or Term should be called; a message left alone is redelivered after the
// subscription's ack wait.
type Message interface {
	// Event is the delivered event.
	Event() *event.Event
	// Sequence is the event's position in the stream.
	Sequence() uint64
	// NumDelivered counts deliveries of this event, from 1.
	NumDelivered() uint64
	// Ack confirms the event is fully handled. An ack lost on the way (the
	// connection dropped) lets the event come again after the ack wait.
	Ack(ctx context.Context) error
	// Nak asks for redelivery after delay.
	Nak(delay time.Duration) error
	// Term stops redelivery for good (the event is dead-lettered by the caller).
	Term() error
	// InProgress extends the ack deadline while work goes on.
	InProgress() error
}

// Subscription describes a durable consumer of some sources' events.
type Subscription struct {
	// Durable is the consumer's name; consumers with the same name share the
	// work and its position survives restarts.
	Durable string
	// Filters select events by EventSource and event name; an empty Event
	// matches every event of the source. Empty Filters match everything.
	Filters []Filter
	// AckWait is how long a delivered message may stay unacknowledged before
	// it is redelivered (0: the implementation's default).
	AckWait time.Duration
	// MaxDeliver bounds deliveries of one event (0: unlimited).
	MaxDeliver int
	// MaxAckPending bounds unacknowledged messages (flow control; 0: default).
	MaxAckPending int
	// Started, when set, is called each time the consumer exists and
	// delivery has begun: once Subscribe is up, and again when it resumes
	// after an interruption.
	Started func()
}

// Filter selects events of one EventSource (and optionally one event name).
type Filter struct {
	EventSource string
	Event       string
}

// Handler handles one delivered message; it must Ack, Nak or Term it.
type Handler func(ctx context.Context, m Message)

// Subscriber delivers events to handlers.
type Subscriber interface {
	// Subscribe delivers matching events to h, concurrently, until ctx ends.
	// It blocks until ctx ends or the subscription fails.
	Subscribe(ctx context.Context, sub Subscription, h Handler) error
}

// Bus is a complete event bus.
type Bus interface {
	Publisher
	Subscriber
	// Close drains in-flight publishes and disconnects.
	Close(ctx context.Context) error
}
