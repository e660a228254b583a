package sensor

import (
	"context"
	"sync"
	"time"

	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/trigger"
)

// handle processes one delivered message and settles it: acknowledged when
// it is done with, redelivered later after a transient failure, given back
// at once when the Sensor stops in the middle. When every trigger is at
// most once it is acknowledged before anything fires, as Argo does.
//
// An event about a Kubernetes object keeps its place among the object's
// events: after a transient failure it is retried here, holding back the
// object's later events, rather than handed back to come again after them;
// and a redelivered event older than one already handled for its object
// (its first delivery was cut short by a crash) is acknowledged without
// firing anything, so that it cannot undo what the newer event did.
func (e *engine) handle(ctx context.Context, m eventbus.Message) {
	ev := m.Event()
	e.metrics.EventReceived()
	delivered := m.NumDelivered()
	if e.ackFirst() {
		if err := m.Ack(ctx); err != nil {
			e.log.Warn("event not acknowledged", "event_id", ev.ID, "error", err)
		}
		e.process(ctx, ev, delivered)
		return
	}
	key, version, ordered := versionOf(ev)
	if ordered && delivered > 1 {
		if reason, stale := e.versions.supersededBy(key, version); stale {
			e.traceSuperseded(ev, reason)
			if err := m.Ack(ctx); err != nil {
				e.log.Warn("event not acknowledged", "event_id", ev.ID, "error", err)
			}
			return
		}
	}
	stop := e.keepAlive(m)
	res := e.process(ctx, ev, delivered)
	for ordered && res == retry && delivered < uint64(e.maxDeliver) {
		delay := e.redelivery(delivered)
		e.log.Info("event to be retried in order", "event_id", ev.ID, "object", key, "delivered", delivered, "delay", delay)
		if trigger.Sleep(ctx, delay) != nil {
			res = interrupted
			break
		}
		delivered++
		res = e.process(ctx, ev, delivered)
	}
	stop()
	switch res {
	case done:
		if ordered {
			e.versions.handled(key, version)
		}
		if !ev.Time.IsZero() {
			e.metrics.EventHandled(time.Since(ev.Time))
		}
		if err := m.Ack(ctx); err != nil {
			e.log.Warn("event not acknowledged", "event_id", ev.ID, "error", err)
		}
	case retry:
		delay := e.redelivery(delivered)
		e.log.Info("event to be redelivered", "event_id", ev.ID, "delivered", delivered, "delay", delay)
		if err := m.Nak(delay); err != nil {
			e.log.Warn("event not handed back", "event_id", ev.ID, "error", err)
		}
	case interrupted:
		giveBack(m)
	}
}

// ackFirst reports whether no trigger waits for its outcome.
func (e *engine) ackFirst() bool {
	for _, t := range e.triggers {
		if t.atLeastOnce {
			return false
		}
	}
	return true
}

// keepAlive extends the ack wait of m while its triggers run (retries may
// take longer than the ack wait) and returns the function that stops it.
// A timer, not a goroutine, waits for each extension: most events are done
// long before the first.
func (e *engine) keepAlive(m eventbus.Message) (stop func()) {
	every := e.ackWait / 3
	if every <= 0 {
		every = 10 * time.Second
	}
	var (
		mu      sync.Mutex
		stopped bool
		timer   *time.Timer
	)
	mu.Lock()
	defer mu.Unlock()
	timer = time.AfterFunc(every, func() {
		if err := m.InProgress(); err != nil {
			e.log.Debug("ack wait not extended", "event_id", m.Event().ID, "error", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			timer.Reset(every)
		}
	})
	// An extension in flight when stop returns is harmless: the server
	// ignores it for a settled message.
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		timer.Stop()
	}
}

// giveBack asks the bus to redeliver m now.
func giveBack(m eventbus.Message) {
	_ = m.Nak(0)
}
