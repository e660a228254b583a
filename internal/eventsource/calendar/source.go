// Package calendar is the "calendar" event source kind: it emits an event
// on a cron schedule or at a fixed interval, in a time zone, skipping
// exclusion dates, as Argo Events' calendar source does.
//
// The event data is Argo's: {"eventTime": "<fire time>", "metadata": {...}},
// the time written as Go's time.Time.String formats it in the schedule's
// zone, e.g. "2024-03-31 09:00:00 +0200 CEST". Herald writes the scheduled
// time of the fire (Argo writes the time its timer woke up), so that every
// fire has one payload and one event id, derived from the EventSource, the
// event name and the scheduled time: a fire published twice (a retry, a
// catch-up after a crash) is dropped by the bus.
//
// A failed publish is retried, with backoff, until it succeeds or the
// source stops. With persistence set and a checkpoint store in the Env, the
// scheduled time of each published fire is saved (after the publish was
// acknowledged, never before); with catchup enabled, a restarted source
// first emits the fires it missed since that checkpoint (no further back
// than catchup.maxDuration), then goes on. Herald's checkpoint store takes
// the place of Argo's persistence ConfigMap.
package calendar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
)

// KindName is the kind's key under spec in an EventSource.
const KindName = "calendar"

// Kind is the calendar kind, registered in eventsource.Default.
var Kind = eventsource.Kind{
	Name:    KindName,
	Configs: func(spec *v1alpha1.EventSourceSpec) map[string]any { return eventsource.ConfigsOf(spec.Calendar) },
	New: func(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
		return New(env, spec)
	},
	Doc: "Emits events on a cron schedule or at a fixed interval.\n\n" +
		"`schedule` (a cron expression, read in `timezone`) wins over `interval` (a Go duration) when both are set; `exclusionDates` " +
		"skips fires. The event data has Argo's shape, `{\"eventTime\": \"...\", \"metadata\": {...}}`.\n\n" +
		"Differences from Argo Events: `eventTime` is the scheduled time of the fire (Argo writes when its timer woke up) and the event id " +
		"is derived from it, so a fire published twice is dropped by the bus. A failed publish is retried until it succeeds. With " +
		"`persistence.catchup.enabled`, a restarted source first emits the fires it missed (no further back than `catchup.maxDuration`); " +
		"Herald keeps that progress in its own checkpoint store instead of the `persistence.configMap`.",
}

func init() { eventsource.Default.Register(Kind) }

// Retry delays of a failed publish: doubling from the first to the last.
const (
	firstRetryDelay = 100 * time.Millisecond
	maxRetryDelay   = 10 * time.Second
)

// Option tunes a calendar source.
type Option func(*source)

// WithClock has the source read time and wait through c (tests use a fake).
func WithClock(c Clock) Option {
	return func(s *source) { s.clock = c }
}

// source emits the fires of one calendar event.
type source struct {
	env   eventsource.Env
	spec  eventsource.Spec
	cfg   *v1alpha1.CalendarEventSource
	plan  *plan
	clock Clock
	key   string // checkpoint key and event id scope
}

var _ eventsource.Source = (*source)(nil)

// New builds the calendar source of one event; spec.Config is a
// *v1alpha1.CalendarEventSource (or the value).
func New(env eventsource.Env, spec eventsource.Spec, opts ...Option) (eventsource.Source, error) {
	cfg, err := eventsource.ConfigAs[v1alpha1.CalendarEventSource](spec)
	if err != nil {
		return nil, fmt.Errorf("building calendar %s: %w", spec.Name, err)
	}
	p, err := parse(cfg)
	if err != nil {
		return nil, fmt.Errorf("building calendar %s: %w", spec.Name, err)
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	s := &source{env: env, spec: spec, cfg: cfg, plan: p, clock: realClock{}, key: CheckpointKey(spec)}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// CheckpointKey is the key a calendar event's progress is saved under:
// "<namespace>/<eventsource>.<event>", where the part after the slash is
// the key Argo uses in its persistence ConfigMap.
func CheckpointKey(spec eventsource.Spec) string {
	var ns, name string
	if es := spec.EventSource; es != nil {
		ns, name = es.Namespace, es.Name
	}
	return ns + "/" + name + "." + spec.Name
}

// persists reports whether fires are checkpointed.
func (s *source) persists() bool {
	return s.cfg.Persistence != nil && s.env.Checkpoints != nil
}

// Start emits the fires until ctx ends.
func (s *source) Start(ctx context.Context, emit eventsource.Emit) error {
	if s.cfg.Persistence != nil && s.env.Checkpoints == nil {
		s.env.Logger.Warn("calendar persistence is set but no checkpoint store is configured; missed fires will not be caught up")
	}
	last, err := s.resumeFrom(ctx)
	if err != nil {
		return err
	}
	for {
		at := s.plan.next(last)
		if at.IsZero() {
			s.env.Logger.Warn("calendar schedule never fires again", "after", last)
			<-ctx.Done()
			return nil
		}
		if !s.waitUntil(ctx, at) {
			return nil
		}
		if !s.fire(ctx, emit, at) {
			return nil
		}
		last = at
	}
}

// resumeFrom returns the time to compute the next fire from: the last
// checkpoint when catching up (bounded by maxDuration), else now.
func (s *source) resumeFrom(ctx context.Context) (time.Time, error) {
	now := s.clock.Now()
	if !s.persists() || !s.cfg.Persistence.IsCatchUpEnabled() {
		return s.plan.start(now), nil
	}
	last, ok, err := s.env.Checkpoints.Load(ctx, s.key)
	if err != nil {
		return time.Time{}, fmt.Errorf("loading the checkpoint of calendar %s: %w", s.spec.Name, err)
	}
	if !ok {
		return s.plan.start(now), nil
	}
	if s.plan.maxCatchup > 0 && now.Sub(last) > s.plan.maxCatchup {
		last = s.plan.skipTo(last, now.Add(-s.plan.maxCatchup))
	}
	s.env.Logger.Info("calendar catching up missed fires", "since", last)
	return last.In(s.plan.loc), nil
}

// waitUntil waits for the clock to reach at; false when ctx ended first.
func (s *source) waitUntil(ctx context.Context, at time.Time) bool {
	for {
		d := at.Sub(s.clock.Now())
		if d <= 0 {
			return ctx.Err() == nil
		}
		c, stop := s.clock.Timer(d)
		select {
		case <-ctx.Done():
			stop()
			return false
		case <-c:
		}
	}
}

// fire publishes the fire scheduled at at, retrying until the bus took it,
// then checkpoints it; false when ctx ended first.
func (s *source) fire(ctx context.Context, emit eventsource.Emit, at time.Time) bool {
	// A string and a map of strings always encode.
	data, _ := json.Marshal(payload{EventTime: at.String(), Metadata: s.cfg.Metadata})
	ev := &event.Event{ID: s.eventID(at), Time: at, DataContentType: event.ContentTypeJSON, Data: data}
	delay := firstRetryDelay
	for {
		err := emit(ctx, ev)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return false
		}
		s.env.Logger.Warn("calendar event not published; retrying", "event_id", ev.ID, "error", err, "retry_in", delay)
		c, stop := s.clock.Timer(delay)
		select {
		case <-ctx.Done():
			stop()
			return false
		case <-c:
		}
		delay = min(2*delay, maxRetryDelay)
	}
	if s.persists() {
		if err := s.env.Checkpoints.Save(ctx, s.key, at); err != nil {
			s.env.Logger.Error("calendar checkpoint not saved", "event_id", ev.ID, "error", err)
		}
	}
	return true
}

// eventID derives the id of the fire scheduled at at.
func (s *source) eventID(at time.Time) string {
	sum := sha256.Sum256([]byte(s.key + "\x00" + at.UTC().Format(time.RFC3339Nano)))
	return hex.EncodeToString(sum[:16])
}

// payload is a calendar event's data, in Argo's shape.
type payload struct {
	EventTime string            `json:"eventTime"`
	Metadata  map[string]string `json:"metadata,omitempty"`
}
