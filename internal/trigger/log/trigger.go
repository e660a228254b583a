// Package log is the "log" trigger kind: it writes the events that fired a
// trigger to the Sensor's log, as Argo Events' log trigger does, at most once
// per intervalSeconds when that is set.
package log

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

// Kind is the "log" trigger kind.
var Kind = trigger.Kind{
	Name: "log",
	New:  New,
	Doc: "Writes the events that fired the trigger to the sensor log, at most once per intervalSeconds.\n\n" +
		"Each line carries the firing's event id and, per dependency, the event's id, event source, name, type, time and data. " +
		"With `intervalSeconds` above 0, firings within that many seconds of the last line written are dropped, not delayed, as in Argo. " +
		"It needs no cluster, which makes it the trigger to try a Sensor with: the lines go to Herald's own log.",
}

func init() { trigger.Default.Register(Kind) }

// Message is the constant message of every line the trigger writes.
const Message = "log trigger fired"

// Trigger writes events to Env.Logger.
type Trigger struct {
	logger   *slog.Logger
	interval time.Duration
	now      func() time.Time
	// last is the UnixNano of the last line written (0 before the first).
	last atomic.Int64
}

var _ trigger.Trigger = (*Trigger)(nil)

// New builds the log trigger of t. The logger is env.Logger (which carries
// the sensor and trigger keys), or a discarding one when nil.
func New(env trigger.Env, _ *v1alpha1.Sensor, t *v1alpha1.Trigger) (trigger.Trigger, error) {
	if t.Template == nil || t.Template.Log == nil {
		return nil, fmt.Errorf("building log trigger: template has no log section")
	}
	logger := env.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Trigger{logger: logger, interval: t.Template.Log.GetInterval(), now: time.Now}, nil
}

// Execute writes one info line for req: the firing's event_id and, under
// "events", a group named after each dependency (sorted) with the event's id, eventsource,
// event name, type, time and data (as text, as Argo prints it). With an
// interval, a firing less than the interval after the last line written is
// dropped, not delayed, as in Argo; Result.Ref says "skipped". It returns
// ctx's error, without logging, when ctx has ended.
func (t *Trigger) Execute(ctx context.Context, req *trigger.Request) (trigger.Result, error) {
	if err := ctx.Err(); err != nil {
		return trigger.Result{}, fmt.Errorf("logging event %s: %w", req.EventID, err)
	}
	if !t.claim() {
		return trigger.Result{Ref: "log (skipped: interval)"}, nil
	}
	groups := make([]slog.Attr, 0, len(req.Events))
	deps := make([]string, 0, len(req.Events))
	for dep := range req.Events {
		deps = append(deps, dep)
	}
	slices.Sort(deps)
	for _, dep := range deps {
		ev := req.Events[dep]
		if ev == nil {
			continue
		}
		groups = append(groups, slog.Group(dep,
			slog.String("event_id", ev.ID),
			slog.String("eventsource", ev.Source),
			slog.String("event", ev.Subject),
			slog.String("type", ev.Type),
			slog.Time("time", ev.Time),
			slog.String("data", string(ev.Data)),
		))
	}
	t.logger.LogAttrs(ctx, slog.LevelInfo, Message,
		slog.String("event_id", req.EventID),
		slog.Attr{Key: "events", Value: slog.GroupValue(groups...)})
	return trigger.Result{Ref: "log"}, nil
}

// claim reports whether this firing may write a line, and records it.
func (t *Trigger) claim() bool {
	if t.interval <= 0 {
		return true
	}
	for {
		last := t.last.Load()
		now := t.now().UnixNano()
		if last != 0 && now <= last+int64(t.interval) {
			return false
		}
		if t.last.CompareAndSwap(last, now) {
			return true
		}
	}
}
