package sensor

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/sensor/param"
	"github.com/herald-dev/herald/internal/trigger"
)

// fireTrigger fires t with events and decides what its outcome means for
// the event: done after a success, a terminal failure (then handed to the
// dlqTrigger) or any failure of an at-most-once trigger; retry after a
// transient failure unless final is set (the event was delivered too
// often), which makes it terminal.
func (e *engine) fireTrigger(ctx context.Context, t *compiledTrigger, events map[string]*event.Event, eventID string, final bool) outcome {
	start := time.Now()
	res, err := e.fireOnce(ctx, t, events, eventID)
	e.metrics.TriggerDuration(t.name, time.Since(start))
	if res.Attempts > 1 {
		e.metrics.TriggerRetried(t.name, res.Attempts-1)
	}
	if ctx.Err() != nil {
		t.log.Info("trigger interrupted", "event_id", eventID)
		return interrupted
	}
	e.traceFiring(t, eventID, res, err, final)
	if err == nil {
		e.metrics.TriggerSucceeded(t.name)
		// Debug: a line per event costs a write at every firing; the
		// event's trace and the metrics record each one already.
		if t.log.Enabled(ctx, slog.LevelDebug) { // its arguments cost allocations
			t.log.Debug("trigger fired", "event_id", eventID, "ref", res.Ref, "attempts", res.Attempts)
		}
		return done
	}
	if !t.atLeastOnce {
		e.metrics.TriggerFailed(t.name, true)
		t.log.Warn("trigger failed", "event_id", eventID, "error", err, "at_least_once", false)
		return done
	}
	terminal := trigger.IsTerminal(err) || final
	e.metrics.TriggerFailed(t.name, terminal)
	if !terminal {
		t.log.Warn("trigger failed, event to be redelivered", "event_id", eventID, "error", err)
		return retry
	}
	reason := "terminal error"
	if !trigger.IsTerminal(err) {
		reason = "delivered too many times"
	}
	e.metrics.DeadLettered(t.name)
	t.log.Error("trigger failed for good", "event_id", eventID, "error", err, "reason", reason, "dlq", t.dlq != nil)
	if t.dlq == nil {
		return done
	}
	dres, derr := e.fireOnce(ctx, t.dlq, events, eventID)
	e.traceDeadLetter(ctx, t.dlq, eventID, dres, derr)
	switch {
	case ctx.Err() != nil:
		return interrupted
	case derr != nil:
		e.metrics.TriggerFailed(t.dlq.name, true)
		t.dlq.log.Error("dead-letter trigger failed", "event_id", eventID, "error", derr)
	default:
		e.metrics.TriggerSucceeded(t.dlq.name)
		t.dlq.log.Info("dead-letter trigger fired", "event_id", eventID, "ref", dres.Ref, "attempts", dres.Attempts)
	}
	return done
}

// fireOnce applies t's parameters and runs it through the FireFunc.
func (e *engine) fireOnce(ctx context.Context, t *compiledTrigger, events map[string]*event.Event, eventID string) (trigger.Result, error) {
	spec, built, err := t.prepare(e.sensor, events)
	if err != nil {
		return trigger.Result{}, err
	}
	req := &trigger.Request{Sensor: e.sensor, Trigger: spec, Events: events, EventID: eventID}
	return e.fire(ctx, built, req, spec)
}

// prepare applies the trigger-level parameters to t's template and returns
// the trigger to run: the one built at start when the template is
// unchanged, one built earlier for the same parameter values, a new one
// otherwise. Errors are terminal: the same events would fail again.
func (t *compiledTrigger) prepare(s *v1alpha1.Sensor, events map[string]*event.Event) (*v1alpha1.Trigger, trigger.Trigger, error) {
	if t.params.Len() == 0 {
		return t.spec, t.built, nil
	}
	key, cacheable := t.valuesKey(events)
	if cacheable {
		if p, ok := t.prepared.get(key); ok {
			return p.spec, p.built, nil
		}
	}
	tmpl, err := t.params.ApplyToTemplate(t.spec.Template, events)
	if err != nil {
		return nil, nil, trigger.Terminal(fmt.Errorf("applying the parameters of trigger %s: %w", t.name, err))
	}
	p := preparedTrigger{spec: t.spec, built: t.built}
	if tmpl != t.spec.Template && !reflect.DeepEqual(tmpl, t.spec.Template) {
		spec := *t.spec
		spec.Template = tmpl
		built, err := t.kind.New(t.env, s, &spec)
		if err != nil {
			return nil, nil, trigger.Terminal(fmt.Errorf("building trigger %s with its parameters applied: %w", t.name, err))
		}
		p = preparedTrigger{spec: &spec, built: built}
	}
	if cacheable {
		t.prepared.put(key, p)
	}
	return p.spec, p.built, nil
}

// valuesKey encodes the values the trigger-level parameters take from
// events; the template they produce depends on nothing else. It is not
// cacheable when a parameter uses a template (costly to resolve twice, and
// sprig has non-deterministic functions) or does not resolve.
func (t *compiledTrigger) valuesKey(events map[string]*event.Event) (string, bool) {
	if !t.cacheable {
		return "", false
	}
	var b strings.Builder
	for i := range t.spec.Parameters {
		v, err := param.Resolve(t.spec.Parameters[i].Src, events)
		if err != nil {
			return "", false
		}
		b.WriteString(strconv.Itoa(len(v.Text)))
		b.WriteByte(':')
		b.WriteString(v.Text)
		b.WriteByte(byte('0' + v.Type))
		b.WriteString(strconv.FormatBool(v.Raw))
		b.WriteString(strconv.FormatBool(v.Skip))
	}
	return b.String(), true
}

// preparedTrigger is a trigger with its parameters applied.
type preparedTrigger struct {
	spec  *v1alpha1.Trigger
	built trigger.Trigger
}

// maxPrepared bounds the prepared triggers kept per trigger.
const maxPrepared = 256

// preparedCache keeps prepared triggers by parameter values; it forgets
// everything when full.
type preparedCache struct {
	mu sync.Mutex
	m  map[string]preparedTrigger
}

func (c *preparedCache) get(key string) (preparedTrigger, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.m[key]
	return p, ok
}

func (c *preparedCache) put(key string, p preparedTrigger) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxPrepared {
		c.m = map[string]preparedTrigger{}
	}
	c.m[key] = p
}

// cacheableParams reports whether params can be keyed by their values:
// every source is a plain key or value, no template.
func cacheableParams(params []v1alpha1.TriggerParameter) bool {
	for _, p := range params {
		if p.Src == nil || p.Src.DataTemplate != "" || p.Src.ContextTemplate != "" {
			return false
		}
	}
	return true
}
