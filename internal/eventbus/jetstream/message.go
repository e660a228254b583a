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

// Ack acknowledges the message. It does not wait for the server to confirm
// (a round trip per event, which cost a tenth of the pipeline's
// throughput): an ack lost with the connection means the event is
// delivered again after the ack wait, which at-least-once delivery allows
// and the triggers' idempotence (event id) absorbs.
func (m *message) Ack(context.Context) error {
	if err := m.msg.Ack(); err != nil {
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
