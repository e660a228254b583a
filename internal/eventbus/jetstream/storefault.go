package jetstream

import (
	"errors"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
)

// When the embedded server fails to write an event to its store (the disk
// full, an I/O error), nats-server marks the stream with the error and from
// then on neither stores nor answers publishes: each would wait
// PublishTimeout for an ack that never comes. The mark stays until the
// server restarts, even once the disk has room again. The bus looks for it
// with each backlog check and, while it is there, refuses publishes at
// once with eventbus.ErrUnavailable and the server's error, and reports it
// (Bus.StoreFault, the herald_eventbus_store_failed metric, /healthz).

// StoreFaulter is a server that can report a write error of its store:
// *Embedded is one.
type StoreFaulter interface {
	StoreFault() error
}

// StoreFault returns the first write error the server's streams or
// consumers have met, or nil.
func (e *Embedded) StoreFault() error {
	// With Details, every fault is one of Errors.
	for _, he := range e.srv.Healthz(&server.HealthzOptions{Details: true}).Errors {
		if strings.Contains(he.Error, "write error") {
			return errors.New(he.Error)
		}
	}
	return nil
}

// StoreFault returns the write error that keeps the embedded server from
// storing events, as the last check saw it, or nil (always nil on an
// external bus, whose server reports its own health).
func (b *Bus) StoreFault() error {
	if p := b.storeFault.Load(); p != nil {
		return *p
	}
	return nil
}

// checkStore looks for a write error of the embedded server's store.
func (b *Bus) checkStore() {
	f, ok := b.opts.InProcess.(StoreFaulter)
	if !ok {
		return
	}
	err := f.StoreFault()
	switch {
	case err != nil && b.storeFault.Load() == nil:
		b.storeFault.Store(&err)
		b.log.Error("event bus cannot write to its store: new events are refused until the process restarts", "error", err)
	case err == nil && b.storeFault.Swap(nil) != nil:
		b.log.Info("event bus store writable again: accepting new events")
	}
}
