package sensor

import (
	"context"
	"log/slog"
	"time"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/sensor/filter"
)

// outcome is what becomes of a delivered event once its triggers ran.
type outcome int

const (
	// done: every trigger succeeded or failed for good; acknowledge.
	done outcome = iota
	// retry: a trigger failed transiently; redeliver later.
	retry
	// interrupted: the Sensor is stopping; give the event back untouched.
	interrupted
)

// worst combines two outcomes: interrupted beats retry beats done.
func worst(a, b outcome) outcome { return max(a, b) }

// process evaluates one event against the Sensor and fires the triggers
// whose conditions it completes. delivered counts the deliveries of the
// event (from 1). It is the Sensor's per-event work, without the bus.
func (e *engine) process(ctx context.Context, ev *event.Event, delivered uint64) outcome {
	return e.processMatched(ctx, ev, e.match(ctx, ev), delivered)
}

// processMatched fires the triggers whose conditions the events matched
// (the transformed event by dependency name, as match returns) complete.
func (e *engine) processMatched(ctx context.Context, ev *event.Event, matched map[string]*event.Event, delivered uint64) outcome {
	if len(matched) == 0 {
		return done
	}
	final := delivered >= uint64(e.maxDeliver)
	res := done
	for _, t := range e.triggers {
		if !t.atLeastOnce && delivered > 1 {
			// At most once: it may have fired on an earlier delivery.
			continue
		}
		if t.gathers {
			res = worst(res, e.gather(ctx, t, matched, ev.ID, final))
			continue
		}
		// Argo fires such a trigger once per dependency the event satisfies,
		// with that dependency's event alone.
		for _, d := range e.deps {
			name := d.spec.Name
			if tev := matched[name]; tev != nil && t.deps[name] {
				events := matched // already {name: tev} (triggers only read it)
				if len(matched) > 1 {
					events = map[string]*event.Event{name: tev}
				}
				res = worst(res, e.fireTriggerOrHook(ctx, t, events, ev.ID, final))
			}
		}
	}
	return res
}

// fireTriggerOrHook fires t, or hands the firing to e.onFire when set
// (explain renders instead of firing).
func (e *engine) fireTriggerOrHook(ctx context.Context, t *compiledTrigger, events map[string]*event.Event, eventID string, final bool) outcome {
	if e.onFire != nil {
		return e.onFire(ctx, t, events, eventID)
	}
	return e.fireTrigger(ctx, t, events, eventID, final)
}

// match runs ev through the transform and filters of every dependency on
// its EventSource event and returns the transformed event by name of each
// dependency that takes it.
func (e *engine) match(ctx context.Context, ev *event.Event) map[string]*event.Event {
	if e.skipsReplay(ev) {
		return nil
	}
	var out map[string]*event.Event
	for _, d := range e.deps {
		if !d.listensTo(ev) {
			continue
		}
		name := d.spec.Name
		m := e.matchDependency(ctx, d, ev)
		e.traceMatch(ev, d, m)
		switch {
		case m.TransformErr != nil:
			e.log.Warn("event transform failed", "dependency", name, "event_id", ev.ID, "error", m.TransformErr)
			e.metrics.EventFiltered(name, ReasonTransformError)
			continue
		case m.FilterErr != nil:
			e.log.Warn("event filter failed", "dependency", name, "event_id", ev.ID, "error", m.FilterErr)
			e.metrics.EventFiltered(name, ReasonFilterError)
			continue
		case !m.Filter.Pass:
			if e.log.Enabled(ctx, slog.LevelDebug) {
				e.log.Debug("event filtered out", "dependency", name, "event_id", ev.ID, "reasons", m.Filter.String())
			}
			e.metrics.EventFiltered(name, ReasonFilter)
			continue
		}
		if !d.transform.Identity() {
			e.metrics.EventTransformed(name)
		}
		if out == nil {
			out = make(map[string]*event.Event, 1)
		}
		out[name] = m.Event
	}
	return out
}

// listensTo reports whether ev is of the dependency's EventSource event.
func (d *dependency) listensTo(ev *event.Event) bool {
	return d.spec.EventSourceName == ev.Source && d.spec.EventName == ev.Subject
}

// dependencyMatch is what a dependency made of one event.
type dependencyMatch struct {
	// Event is the event after the transform (nil when it failed).
	Event *event.Event
	// TransformErr is why the transform failed; the filters did not run.
	TransformErr error
	// Filter is the filters' verdict; FilterErr is set when a filter could
	// not be evaluated (the event is then rejected).
	Filter    filter.Result
	FilterErr error
}

// matched reports whether the dependency takes the event.
func (m dependencyMatch) matched() bool {
	return m.TransformErr == nil && m.FilterErr == nil && m.Filter.Pass
}

// matchDependency runs ev through d's transform, then its filters, as Argo
// does.
func (e *engine) matchDependency(ctx context.Context, d *dependency, ev *event.Event) dependencyMatch {
	tev, err := d.transform.Apply(ctx, ev)
	if err != nil {
		return dependencyMatch{TransformErr: err}
	}
	res, err := d.filter.MatchContext(ctx, tev, e.now())
	return dependencyMatch{Event: tev, Filter: res, FilterErr: err}
}

// gather adds the matched events to what trigger t has gathered and fires
// it when its condition holds, clearing what it gathered (all of the
// trigger's dependencies, as Argo does) once the firing is over.
func (e *engine) gather(ctx context.Context, t *compiledTrigger, matched map[string]*event.Event, eventID string, final bool) outcome {
	relevant := false
	for name := range matched {
		relevant = relevant || t.deps[name]
	}
	if !relevant {
		return done
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	p, err := e.state.Load(ctx, t.stateKey)
	if err != nil {
		t.log.Warn("sensor state not loaded", "event_id", eventID, "error", err)
		return interruptedOr(ctx, retry)
	}
	now := e.now()
	for name, s := range p {
		if !t.deps[name] || t.expired(s.At, now) {
			delete(p, name)
		}
	}
	for _, d := range e.deps {
		tev := matched[d.spec.Name]
		if tev == nil || !t.deps[d.spec.Name] {
			continue
		}
		// Events that name no object are handled in parallel, so an older
		// one can come second: the latest by source time is kept.
		if old, ok := p[d.spec.Name]; ok && old.Event != nil && tev.Time.Before(old.Event.Time) {
			continue
		}
		p[d.spec.Name] = StoredEvent{Event: tev, At: now}
	}
	if !t.expr.Eval(func(name string) bool { _, ok := p[name]; return ok }) {
		t.log.Debug("trigger conditions not met yet", "event_id", eventID, "gathered", len(p))
		if err := e.state.Save(ctx, t.stateKey, p); err != nil {
			t.log.Warn("sensor state not saved", "event_id", eventID, "error", err)
			return interruptedOr(ctx, retry)
		}
		return done
	}
	events := make(map[string]*event.Event, len(p))
	for name, s := range p {
		events[name] = s.Event
	}
	res := e.fireTriggerOrHook(ctx, t, events, eventID, final)
	if res != done {
		// The gathered events stay as they were; the redelivered event
		// completes the condition again.
		return res
	}
	if err := e.state.Save(ctx, t.stateKey, nil); err != nil {
		t.log.Warn("sensor state not cleared", "event_id", eventID, "error", err)
	}
	return done
}

// expired reports whether a conditionsReset schedule passed between at and
// now.
func (t *compiledTrigger) expired(at, now time.Time) bool {
	for _, s := range t.resets {
		if next := s.Next(at); !next.IsZero() && !next.After(now) {
			return true
		}
	}
	return false
}

// interruptedOr is interrupted when ctx ended, o otherwise.
func interruptedOr(ctx context.Context, o outcome) outcome {
	if ctx.Err() != nil {
		return interrupted
	}
	return o
}
