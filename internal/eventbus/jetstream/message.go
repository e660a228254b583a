package jetstream

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
)

// message is one delivered event with its JetStream message.
type message struct {
	msg          jetstream.Msg
	ev           *event.Event
	seq          uint64
	numDelivered uint64
}

var _ eventbus.Message = (*message)(nil)

func (m *message) Event() *event.Event  { return m.ev }
func (m *message) Sequence() uint64     { return m.seq }
func (m *message) NumDelivered() uint64 { return m.numDelivered }

// ackWait bounds the wait for the server's confirmation of an ack.
const ackWait = 2 * time.Second

// Ack acknowledges the message and waits up to two seconds for the server to
// confirm it, so a nil error means the event will not be redelivered. The
// wait ignores the cancellation of ctx: a handler that finishes its work as
// its subscription stops still gets its ack through, rather than having the
// event redelivered and handled twice.
func (m *message) Ack(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackWait)
	defer cancel()
	if err := m.msg.DoubleAck(ctx); err != nil {
		return fmt.Errorf("acknowledging event %s: %w", m.ev.ID, err)
	}
	return nil
}

// Nak asks for redelivery, after delay when it is positive.
func (m *message) Nak(delay time.Duration) error {
	var err error
	if delay > 0 {
		err = m.msg.NakWithDelay(delay)
	} else {
		err = m.msg.Nak()
	}
	if err != nil {
		return fmt.Errorf("rejecting event %s: %w", m.ev.ID, err)
	}
	return nil
}

// Term stops redelivery of the message.
func (m *message) Term() error {
	if err := m.msg.Term(); err != nil {
		return fmt.Errorf("terminating event %s: %w", m.ev.ID, err)
	}
	return nil
}

// InProgress restarts the message's ack wait.
func (m *message) InProgress() error {
	if err := m.msg.InProgress(); err != nil {
		return fmt.Errorf("extending the ack wait of event %s: %w", m.ev.ID, err)
	}
	return nil
}
