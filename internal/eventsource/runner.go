package eventsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource/filter"
	"github.com/herald-dev/herald/internal/trace"
)

// Default restart backoff of a failing source: it doubles from the first
// delay up to the cap, with ±20% jitter, and starts over once a source has
// run for longer than the cap.
const (
	DefaultRestartDelay    = time.Second
	DefaultMaxRestartDelay = 30 * time.Second
)

// RunOption tunes Run.
type RunOption func(*runConfig)

type runConfig struct {
	metrics  Metrics
	minDelay time.Duration
	maxDelay time.Duration
	now      func() time.Time
	trace    *trace.Recorder
	status   *Status
}

// WithTrace has Run record each event it passes on in r.
func WithTrace(r *trace.Recorder) RunOption {
	return func(c *runConfig) { c.trace = r }
}

// WithMetrics has Run count events and restarts in m.
func WithMetrics(m Metrics) RunOption {
	return func(c *runConfig) { c.metrics = m }
}

// WithRestartBackoff sets the first and the largest delay before a failed
// source is started again.
func WithRestartBackoff(first, limit time.Duration) RunOption {
	return func(c *runConfig) { c.minDelay, c.maxDelay = first, limit }
}

// Run runs every event of es: for each kind used in its spec and each event
// name, it builds the source through reg and starts it in its own goroutine.
// Each event a source emits gets its envelope defaults (see WithEnvelope)
// and, unless the event's filter.expression drops it, is passed to publish.
// A source that fails is started again after a backoff; WithStatus follows
// which sources have started. Run returns nil once ctx has ended and every
// source has stopped; it returns an error at once when es uses kinds that
// reg does not know or a filter expression that does not compile.
func Run(ctx context.Context, reg *Registry, env Env, es *v1alpha1.EventSource, publish Emit, opts ...RunOption) error {
	cfg := runConfig{metrics: noMetrics{}, minDelay: DefaultRestartDelay, maxDelay: DefaultMaxRestartDelay, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.status == nil {
		cfg.status = NewStatus(nil)
	}
	if cfg.maxDelay < cfg.minDelay {
		cfg.maxDelay = cfg.minDelay
	}
	units, err := plan(reg, es)
	if err != nil {
		return err
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	if env.Shared == nil {
		env.Shared = NewShared()
	}
	if es.Namespace != "" {
		env.Namespace = es.Namespace
	}
	statuses := cfg.status.plan(units)
	var wg sync.WaitGroup
	for i, u := range units {
		wg.Go(func() { runOne(ctx, env, u, statuses[i], publish, &cfg) })
	}
	wg.Wait()
	return nil
}

// unit is one event of one kind.
type unit struct {
	kind Kind
	spec Spec
	// filter is the event's compiled filter.expression, nil without one.
	filter *filter.Filter
}

// plan lists the events to run, sorted by kind then event name, with their
// filters compiled; an expression that does not compile is an error.
func plan(reg *Registry, es *v1alpha1.EventSource) ([]unit, error) {
	var unknown []string
	for _, name := range usedKinds(&es.Spec) {
		if _, ok := reg.Lookup(name); !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("running eventsource %s: event source kinds %s are not supported (supported: %s)",
			es.Name, strings.Join(unknown, ", "), strings.Join(reg.Names(), ", "))
	}
	var units []unit
	var problems []error
	for _, name := range reg.Names() {
		k, _ := reg.Lookup(name)
		if k.Configs == nil {
			continue
		}
		configs := k.Configs(&es.Spec)
		events := make([]string, 0, len(configs))
		for ev := range configs {
			events = append(events, ev)
		}
		slices.Sort(events)
		for _, ev := range events {
			f, err := compileFilter(configs[ev])
			if err != nil {
				problems = append(problems, fmt.Errorf("spec.%s[%s].filter.expression: %w", name, ev, err))
				continue
			}
			units = append(units, unit{kind: k, spec: Spec{EventSource: es, Name: ev, Config: configs[ev]}, filter: f})
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("running eventsource %s: %w", es.Name, errors.Join(problems...))
	}
	if len(units) == 0 {
		return nil, fmt.Errorf("running eventsource %s: it declares no events", es.Name)
	}
	return units, nil
}

// usedKinds returns the manifest names of the kinds es's spec uses: its
// non-empty maps of named events, by JSON name.
func usedKinds(spec *v1alpha1.EventSourceSpec) []string {
	v := reflect.ValueOf(spec).Elem()
	t := v.Type()
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type.Kind() != reflect.Map || v.Field(i).Len() == 0 {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// runOne runs one source until ctx ends, starting it again after failures,
// and keeps its started state in st.
func runOne(ctx context.Context, env Env, u unit, st *eventStatus, publish Emit, cfg *runConfig) {
	esName, evName := u.spec.EventSource.Name, u.spec.Name
	env.Logger = env.Logger.With("eventsource", esName, "event", evName, "kind", u.kind.Name)
	env.Rejected = func(reason string) { cfg.metrics.InputRejected(env.Namespace, esName, evName, reason) }
	log := env.Logger
	emit := WithEnvelope(u.spec, u.kind.Name, withFilter(u.filter, log, func(ctx context.Context, ev *event.Event) error {
		cfg.trace.Received(env.Namespace, ev)
		if err := publish(ctx, ev); err != nil {
			cfg.metrics.EventFailed(env.Namespace, esName, evName)
			return err
		}
		cfg.metrics.EventEmitted(env.Namespace, esName, evName)
		return nil
	}))
	attempt := 0
	for {
		started := cfg.now()
		env.Started = cfg.status.begin(st)
		err := startOnce(ctx, env, u, emit)
		cfg.status.end(st)
		if ctx.Err() != nil {
			if err != nil {
				log.Warn("event source stopped with an error", "error", err)
			}
			return
		}
		if err == nil {
			err = fmt.Errorf("source stopped before it was asked to")
		}
		if cfg.now().Sub(started) > cfg.maxDelay {
			attempt = 0
		}
		delay := backoff(attempt, cfg.minDelay, cfg.maxDelay)
		attempt++
		cfg.metrics.SourceRestarted(env.Namespace, esName, evName)
		log.Error("event source failed; restarting it", "error", err, "attempt", attempt, "retry_in", delay)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// startOnce builds and starts the source once, turning a panic into an
// error. A source of a kind that does not report itself started counts as
// started from here.
func startOnce(ctx context.Context, env Env, u unit, emit Emit) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("source panicked: %v\n%s", r, debug.Stack())
		}
	}()
	src, err := u.kind.New(env, u.spec)
	if err != nil {
		return fmt.Errorf("building the source: %w", err)
	}
	if !u.kind.ReportsStarted {
		env.ReportStarted()
	}
	return src.Start(ctx, emit)
}

// backoff returns the delay before restart number attempt (from 0): first
// doubled attempt times, capped at limit, with ±20% jitter.
func backoff(attempt int, first, limit time.Duration) time.Duration {
	d := first
	for range attempt {
		if d >= limit/2 {
			d = limit
			break
		}
		d *= 2
	}
	d = min(d, limit)
	jitter := time.Duration(float64(d) * 0.2 * (2*rand.Float64() - 1))
	return d + jitter
}

// WithEnvelope returns an Emit that fills the envelope attributes a source
// left empty, then calls next: ID a new unique id (sources that know a
// natural id set their own, deterministic one, so that the bus drops
// repeats), Source the EventSource's name, Subject the event's name, Type
// the kind, Time now, and DataContentType application/json when Data is
// JSON.
func WithEnvelope(spec Spec, kind string, next Emit) Emit {
	var esName string
	if spec.EventSource != nil {
		esName = spec.EventSource.Name
	}
	return func(ctx context.Context, ev *event.Event) error {
		if ev.ID == "" {
			ev.ID = uuid.NewString()
		}
		if ev.Source == "" {
			ev.Source = esName
		}
		if ev.Subject == "" {
			ev.Subject = spec.Name
		}
		if ev.Type == "" {
			ev.Type = kind
		}
		if ev.Time.IsZero() {
			ev.Time = time.Now().UTC()
		}
		if ev.DataContentType == "" && len(ev.Data) > 0 && json.Valid(ev.Data) {
			ev.DataContentType = event.ContentTypeJSON
		}
		return next(ctx, ev)
	}
}
