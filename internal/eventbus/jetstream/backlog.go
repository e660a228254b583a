package jetstream

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// The stream keeps events within its limits (MaxMsgs, MaxBytes) by dropping
// the oldest, whether a subscription acknowledged them or not: under an
// overload that lasts, a Sensor far enough behind would lose events the bus
// had accepted. The backlog guard prevents that: every BacklogCheck it
// compares, for each subscription it guards, the events from the oldest one
// it has not acknowledged to the newest with those limits, and
// while one of them fills more than backlogHigh of a limit, Publish refuses
// new events with eventbus.ErrUnavailable (a webhook answers 503, other
// sources retry) until every one is back under backlogLow. Events then wait
// at their senders instead of being dropped from the stream. Between two
// checks, each event this process publishes adds one to the largest
// backlog seen (every backlog grows by one per event), so a burst cannot
// run past maxMsgs before the next check.
//
// It guards this process's subscriptions, and every other durable consumer
// of the stream that acknowledges explicitly and has pull requests waiting
// (a Sensor of another process on a shared bus, which the events of this
// one could push out just the same). A durable nobody pulls from (left by a
// Sensor that is gone) is not guarded: it would stop the bus for good.
//
// MaxAge is not guarded: refusing new events does not keep old ones from
// ageing out.

// Fractions of a limit at which publishes stop and start again.
const (
	backlogHigh = 0.9
	backlogLow  = 0.8
)

// backlog is the guard's state.
type backlog struct {
	mu sync.Mutex
	// durables counts this process's subscriptions per consumer name.
	durables map[string]int
	// full is why publishes are refused; nil while they are not.
	full atomic.Pointer[string]
	// pending is the largest backlog the last check saw plus the events
	// published since; highMsgs is backlogHigh of maxMsgs (0: no limit, or
	// nothing to guard).
	pending, highMsgs, maxMsgs atomic.Int64
}

// track adds a subscription of consumer durable; the returned function
// removes it.
func (g *backlog) track(durable string) (untrack func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.durables == nil {
		g.durables = map[string]int{}
	}
	g.durables[durable]++
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.durables[durable]--; g.durables[durable] <= 0 {
			delete(g.durables, durable)
		}
	}
}

// own returns the names of this process's subscriptions' consumers.
func (g *backlog) own() map[string]bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]bool, len(g.durables))
	for d := range g.durables {
		out[d] = true
	}
	return out
}

// refuse starts refusing publishes for why, unless they already are.
func (b *Bus) refuse(why string, consumer string, unacknowledged int64, fill float64) {
	if b.backlog.full.CompareAndSwap(nil, &why) {
		b.log.Warn("event bus backlog near the stream's limits: refusing new events", "consumer", consumer, "unacknowledged", unacknowledged, "fill", fill)
	}
}

// published counts an event this process added to the stream, and refuses
// the next ones when it takes the largest backlog to backlogHigh of
// maxMsgs.
func (b *Bus) published() {
	g := &b.backlog
	n, high := g.pending.Add(1), g.highMsgs.Load()
	if high > 0 && n >= high && g.refusal() == "" {
		b.refuse(fmt.Sprintf("the event bus is full: a subscription has about %d events not acknowledged, %.0f%% of what stream %s keeps (maxMsgs %d); new events are refused until it catches up",
			n, 100*backlogHigh, b.stream, g.maxMsgs.Load()), "", n, backlogHigh)
	}
}

// refusal returns why publishes are refused, or "".
func (g *backlog) refusal() string {
	if why := g.full.Load(); why != nil {
		return *why
	}
	return ""
}

// watchBacklog runs the guard, and the store's check (storefault.go), every
// b.opts.BacklogCheck until the bus closes.
func (b *Bus) watchBacklog() {
	t := time.NewTicker(b.opts.BacklogCheck)
	defer t.Stop()
	for {
		select {
		case <-b.stop.Done():
			return
		case <-t.C:
			b.checkStore()
			ctx, cancel := context.WithTimeout(b.stop, max(b.opts.BacklogCheck, time.Second))
			b.checkBacklog(ctx)
			cancel()
		}
	}
}

// checkBacklog looks at the guarded subscriptions' backlogs once and
// refuses or allows publishes accordingly. When the server does not answer,
// the guard keeps its state.
func (b *Bus) checkBacklog(ctx context.Context) {
	stream, err := b.js.Stream(ctx, b.stream)
	if err != nil {
		b.log.Debug("event bus backlog not checked", "error", err)
		return
	}
	info := stream.CachedInfo()
	own := b.backlog.own()
	worst, worstName, worstPending, largest := 0.0, "", uint64(0), uint64(0)
	anyGuarded := false
	list := stream.ListConsumers(ctx)
	for ci := range list.Info() {
		if !guarded(ci, own) {
			continue
		}
		anyGuarded = true
		pending := unacknowledged(info.State, ci)
		largest = max(largest, pending)
		if f := backlogFill(info, pending); f > worst {
			worst, worstName, worstPending = f, ci.Name, pending
		}
	}
	if err := list.Err(); err != nil {
		b.log.Debug("event bus backlog not checked", "error", err)
		return
	}
	b.backlog.pending.Store(int64(largest))
	b.backlog.maxMsgs.Store(info.Config.MaxMsgs)
	high := int64(0)
	if anyGuarded {
		high = int64(backlogHigh * float64(max(info.Config.MaxMsgs, 0)))
	}
	b.backlog.highMsgs.Store(high)
	full := b.backlog.refusal() != ""
	switch {
	case !full && worst >= backlogHigh:
		b.refuse(fmt.Sprintf("the event bus is full: subscription %s has %d events not acknowledged, %.0f%% of what stream %s keeps (maxMsgs %d, maxBytes %d); new events are refused until it catches up",
			worstName, worstPending, 100*worst, b.stream, info.Config.MaxMsgs, info.Config.MaxBytes), worstName, int64(worstPending), worst)
	case full && worst < backlogLow:
		b.allow()
	}
}

// guarded reports whether the guard keeps ci's unacknowledged events: a
// subscription of this process (own, by consumer name), or another durable
// consumer that acknowledges explicitly and is being pulled from.
func guarded(ci *jetstream.ConsumerInfo, own map[string]bool) bool {
	if ci == nil {
		return false
	}
	if own[ci.Name] {
		return true
	}
	return ci.Config.Durable != "" && ci.Config.AckPolicy == jetstream.AckExplicitPolicy && (ci.NumWaiting > 0 || ci.PushBound)
}

// allow lets publishes through again.
func (b *Bus) allow() {
	if b.backlog.full.Swap(nil) != nil {
		b.log.Info("event bus backlog back under the stream's limits: accepting new events")
	}
}

// unacknowledged counts the stream's events from the oldest one ci has not
// acknowledged to the newest: those the stream must keep for it. A
// subscription with nothing pending or awaiting an ack keeps none, however
// far its ack floor lags (events it does not select came since); one with
// nothing awaiting an ack keeps those after its last delivery. For a
// subscription that selects few of the stream's events this overestimates
// (the events it does not select between its floor and its next one count
// too): the guard then refuses early rather than late.
func unacknowledged(st jetstream.StreamState, ci *jetstream.ConsumerInfo) uint64 {
	if ci == nil || (ci.NumPending == 0 && ci.NumAckPending == 0) {
		return 0
	}
	floor := ci.AckFloor.Stream
	if ci.NumAckPending == 0 {
		floor = max(floor, ci.Delivered.Stream)
	}
	if st.LastSeq <= floor {
		return 0
	}
	return st.LastSeq - floor
}

// backlogFill is the larger fraction of the stream's message and byte
// limits that pending events take; bytes are estimated from the stream's
// mean event size.
func backlogFill(info *jetstream.StreamInfo, pending uint64) float64 {
	var f float64
	if m := info.Config.MaxMsgs; m > 0 {
		f = float64(pending) / float64(m)
	}
	if m := info.Config.MaxBytes; m > 0 && info.State.Msgs > 0 {
		bytes := float64(info.State.Bytes) * float64(min(pending, info.State.Msgs)) / float64(info.State.Msgs)
		f = max(f, bytes/float64(m))
	}
	return f
}
