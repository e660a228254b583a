package sensor

import (
	"context"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
)

// dispatcher hands messages to a fixed pool of workers by ordering key:
// every message of a key goes to the same worker, which handles its
// messages one at a time in the order they were dispatched. Keys spread
// over the workers, so different keys proceed in parallel.
//
// The order between two messages of a key is the order in which dispatch
// was called for them; dispatch only queues, so a bus that calls the
// handler from a single goroutine loses no parallelism and keeps the
// stream's order exactly.
type dispatcher struct {
	ctx    context.Context
	queues []chan eventbus.Message
	wg     sync.WaitGroup
}

// newDispatcher starts n workers, each with a queue of q messages, running
// handle until ctx ends; messages still queued then are given back.
func newDispatcher(ctx context.Context, n, q int, handle func(context.Context, eventbus.Message)) *dispatcher {
	d := &dispatcher{ctx: ctx, queues: make([]chan eventbus.Message, n)}
	for i := range d.queues {
		ch := make(chan eventbus.Message, q)
		d.queues[i] = ch
		d.wg.Go(func() {
			for m := range ch {
				if ctx.Err() != nil {
					giveBack(m)
					continue
				}
				handle(ctx, m)
			}
		})
	}
	return d
}

// dispatch queues m on the worker of its key, waiting while that queue is
// full; it gives m back when the Sensor stops first.
func (d *dispatcher) dispatch(hctx context.Context, m eventbus.Message) {
	q := d.queues[keyHash(orderKey(m.Event()))%uint32(len(d.queues))]
	select {
	case q <- m:
	case <-d.ctx.Done():
		giveBack(m)
	case <-hctx.Done():
		giveBack(m)
	}
}

// close stops the workers once their queues are drained; no dispatch may
// run concurrently or later.
func (d *dispatcher) close() {
	for _, q := range d.queues {
		close(q)
	}
	d.wg.Wait()
}

// orderKey is the key under which events are kept in order: the namespace
// and name of the Kubernetes object a resource event is about
// (body.metadata). Other events (a webhook call, a calendar tick) name no
// object and promise no order among themselves, as their senders run
// concurrently anyway: they are spread by event id, so that one slow
// trigger call does not hold up the next events of the same source.
func orderKey(ev *event.Event) string {
	if len(ev.Data) > 0 && (ev.DataContentType == "" || ev.DataContentType == event.ContentTypeJSON) {
		r := gjson.GetManyBytes(ev.Data, "body.metadata.namespace", "body.metadata.name")
		if r[1].Type == gjson.String && r[1].Str != "" {
			return "obj\x00" + r[0].String() + "/" + r[1].Str
		}
	}
	return "evt\x00" + ev.ID
}

// keyHash is FNV-1a.
func keyHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
