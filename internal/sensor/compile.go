package sensor

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/sensor/condition"
	"github.com/herald-dev/herald/internal/sensor/filter"
	"github.com/herald-dev/herald/internal/sensor/param"
	"github.com/herald-dev/herald/internal/sensor/transform"
	"github.com/herald-dev/herald/internal/trace"
	"github.com/herald-dev/herald/internal/trigger"
)

// engine is a compiled Sensor.
type engine struct {
	sensor   *v1alpha1.Sensor
	bus      eventbus.Subscriber
	state    State
	fire     FireFunc
	metrics  Metrics
	log      *slog.Logger
	now      func() time.Time
	registry *trigger.Registry
	env      trigger.Env

	workers, queue, maxDeliver int
	ackWait                    time.Duration
	// versions guards objects against redelivered older events.
	versions            handledVersions
	redelivery          func(uint64) time.Duration
	atMostOnceUnlessSet bool
	trace               *trace.Recorder
	subscribed          func()

	deps     []*dependency
	triggers []*compiledTrigger

	// onFire, when set, replaces the firing of a trigger whose conditions
	// hold (Explain renders the trigger instead); its outcome is the event's.
	onFire func(ctx context.Context, t *compiledTrigger, events map[string]*event.Event, eventID string) outcome
}

// dependency is a compiled dependency.
type dependency struct {
	spec      *v1alpha1.EventDependency
	transform *transform.Transform
	filter    *filter.Filter
}

// compiledTrigger is a trigger ready to fire.
type compiledTrigger struct {
	name string
	spec *v1alpha1.Trigger
	kind trigger.Kind
	// built is the trigger built from the manifest's template.
	built  trigger.Trigger
	params *param.Compiled
	env    trigger.Env
	log    *slog.Logger
	// expr is the trigger's condition; deps the dependencies it names.
	expr *condition.Expr
	deps map[string]bool
	// gathers is true when the condition needs several events (it has an
	// "&&", as Argo decides): events are kept in State until it holds.
	gathers bool
	// resets are the conditionsReset schedules.
	resets []cron.Schedule
	// stateKey names the trigger's State entry.
	stateKey string
	// mu serialises gathering and firing of a gathering trigger.
	mu sync.Mutex
	// dlq is the dead-letter trigger, if any.
	dlq *compiledTrigger
	// atLeastOnce says whether the event waits for the outcome.
	atLeastOnce bool
	// prepared keeps the triggers built for parameter values seen before;
	// cacheable says whether the parameters allow it.
	prepared  preparedCache
	cacheable bool
}

// resetParser reads conditionsReset schedules the way Argo does: five
// fields, no descriptors.
var resetParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// loggingFields are the attributes of every log line of s, its triggers'
// included: its namespace and name, then its spec.loggingFields sorted by
// key (keys named namespace or sensor are left out: those two stay
// Herald's).
func loggingFields(s *v1alpha1.Sensor) []any {
	out := []any{"namespace", s.Namespace, "sensor", s.Name}
	for _, k := range slices.Sorted(maps.Keys(s.Spec.LoggingFields)) {
		if k != "namespace" && k != "sensor" {
			out = append(out, k, s.Spec.LoggingFields[k])
		}
	}
	return out
}

// newEngine compiles cfg's Sensor.
func newEngine(cfg Config) (*engine, error) {
	s := cfg.Sensor
	if s == nil {
		return nil, fmt.Errorf("compiling sensor: no sensor")
	}
	if cfg.Registry == nil {
		return nil, fmt.Errorf("compiling sensor %s/%s: no trigger registry", s.Namespace, s.Name)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &engine{
		sensor: s, bus: cfg.Bus, state: cfg.State, fire: cfg.Fire, metrics: cfg.Metrics,
		log: log.With(loggingFields(s)...), now: cfg.Now,
		registry: cfg.Registry, env: cfg.Env,
		workers: orDefault(cfg.Workers, DefaultWorkers), queue: orDefault(cfg.Queue, DefaultQueue),
		maxDeliver: orDefault(cfg.MaxDeliver, DefaultMaxDeliver), ackWait: cfg.AckWait,
		redelivery: cfg.Redelivery, atMostOnceUnlessSet: cfg.AtMostOnceUnlessSet,
		trace: cfg.Trace, subscribed: cfg.Subscribed,
	}
	if e.state == nil {
		e.state = NewMemoryState()
	}
	if e.fire == nil {
		e.fire = executeOnce
	}
	if e.metrics == nil {
		e.metrics = nopMetrics{}
	}
	if e.now == nil {
		e.now = time.Now
	}
	e.versions.limit = maxHandledVersions
	if e.redelivery == nil {
		e.redelivery = defaultRedelivery
	}
	names := make([]string, 0, len(s.Spec.Dependencies))
	for i := range s.Spec.Dependencies {
		d, err := compileDependency(&s.Spec.Dependencies[i], cfg)
		if err != nil {
			return nil, fmt.Errorf("compiling sensor %s/%s: %w", s.Namespace, s.Name, err)
		}
		e.deps = append(e.deps, d)
		names = append(names, d.spec.Name)
	}
	for i := range s.Spec.Triggers {
		t, err := e.compileTrigger(&s.Spec.Triggers[i], names)
		if err != nil {
			return nil, fmt.Errorf("compiling sensor %s/%s: %w", s.Namespace, s.Name, err)
		}
		e.triggers = append(e.triggers, t)
	}
	return e, nil
}

func compileDependency(spec *v1alpha1.EventDependency, cfg Config) (*dependency, error) {
	tr, err := transform.Compile(spec.Transform, cfg.TransformOptions)
	if err != nil {
		return nil, fmt.Errorf("compiling the transform of dependency %s: %w", spec.Name, err)
	}
	f, err := filter.Compile(spec, cfg.FilterOptions)
	if err != nil {
		return nil, fmt.Errorf("compiling the filters of dependency %s: %w", spec.Name, err)
	}
	return &dependency{spec: spec, transform: tr, filter: f}, nil
}

// compileTrigger compiles spec; depNames are the Sensor's dependencies,
// which a trigger without conditions waits for all of.
func (e *engine) compileTrigger(spec *v1alpha1.Trigger, depNames []string) (*compiledTrigger, error) {
	if spec.Template == nil {
		return nil, fmt.Errorf("compiling a trigger: no template")
	}
	tmpl := spec.Template
	t := &compiledTrigger{name: tmpl.Name, spec: spec, deps: map[string]bool{}}
	t.log = e.log.With("trigger", t.name)
	t.atLeastOnce = spec.IsAtLeastOnce() && (spec.AtLeastOnce != nil || !e.atMostOnceUnlessSet)
	t.stateKey = e.sensor.Namespace + "/" + e.sensor.Name + "/" + t.name
	kindName, err := templateKind(tmpl)
	if err != nil {
		return nil, fmt.Errorf("compiling trigger %s: %w", t.name, err)
	}
	kind, ok := e.registry.Lookup(kindName)
	if !ok {
		return nil, fmt.Errorf("compiling trigger %s: trigger kind %q is not supported", t.name, kindName)
	}
	t.kind = kind
	t.env = e.env
	t.env.Logger = t.log
	if t.built, err = kind.New(t.env, e.sensor, spec); err != nil {
		return nil, fmt.Errorf("building trigger %s: %w", t.name, err)
	}
	if t.params, err = param.Compile(spec.Parameters); err != nil {
		return nil, fmt.Errorf("compiling the parameters of trigger %s: %w", t.name, err)
	}
	t.cacheable = cacheableParams(spec.Parameters)
	cond := tmpl.Conditions
	if strings.TrimSpace(cond) == "" {
		cond = strings.Join(depNames, " && ")
	}
	if t.expr, err = condition.Parse(cond); err != nil {
		return nil, fmt.Errorf("parsing the conditions of trigger %s: %w", t.name, err)
	}
	for _, n := range t.expr.Names() {
		t.deps[n] = true
	}
	t.gathers = strings.Contains(cond, "&")
	for i, r := range tmpl.ConditionsReset {
		if r.ByTime == nil {
			continue
		}
		loc := time.UTC
		if r.ByTime.Timezone != "" {
			if loc, err = time.LoadLocation(r.ByTime.Timezone); err != nil {
				return nil, fmt.Errorf("trigger %s: conditionsReset[%d]: loading time zone: %w", t.name, i, err)
			}
		}
		sched, err := resetParser.Parse(r.ByTime.Cron)
		if err != nil {
			return nil, fmt.Errorf("trigger %s: conditionsReset[%d]: parsing cron %q: %w", t.name, i, r.ByTime.Cron, err)
		}
		t.resets = append(t.resets, inLocation{sched, loc})
	}
	if spec.DlqTrigger != nil {
		if t.dlq, err = e.compileTrigger(spec.DlqTrigger, depNames); err != nil {
			return nil, fmt.Errorf("compiling the dlqTrigger of trigger %s: %w", t.name, err)
		}
	}
	return t, nil
}

// inLocation reads a schedule in a time zone.
type inLocation struct {
	s   cron.Schedule
	loc *time.Location
}

func (l inLocation) Next(t time.Time) time.Time { return l.s.Next(t.In(l.loc)) }

// templateKind is the name of the one kind field set in tmpl, e.g. "k8s".
func templateKind(tmpl *v1alpha1.TriggerTemplate) (string, error) {
	raw, err := json.Marshal(tmpl)
	if err != nil {
		return "", fmt.Errorf("encoding the template: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return "", fmt.Errorf("decoding the template: %w", err)
	}
	var kinds []string
	for k, v := range fields {
		switch k {
		case "name", "conditions", "conditionsReset":
			continue
		}
		if string(v) != "null" {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 {
		return "", fmt.Errorf("the template sets %d trigger kinds %v, want exactly one", len(kinds), kinds)
	}
	return kinds[0], nil
}

// executeOnce is the default FireFunc.
func executeOnce(ctx context.Context, t trigger.Trigger, req *trigger.Request, _ *v1alpha1.Trigger) (trigger.Result, error) {
	res, err := t.Execute(ctx, req)
	res.Attempts = 1
	return res, err
}

// defaultRedelivery waits 1s, doubling with each delivery up to a minute.
func defaultRedelivery(delivered uint64) time.Duration {
	d := time.Second
	for i := uint64(1); i < delivered && d < time.Minute; i++ {
		d *= 2
	}
	return min(d, time.Minute)
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
