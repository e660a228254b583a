package engine

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
)

// Ref names one EventSource or Sensor of a runtime.
type Ref struct {
	// Kind is v1alpha1.KindEventSource or v1alpha1.KindSensor.
	Kind      string
	Namespace string
	Name      string
}

func (r Ref) String() string { return r.Kind + " " + r.Namespace + "/" + r.Name }

// logKey is the log key naming the object: "eventsource" or "sensor".
func (r Ref) logKey() string { return strings.ToLower(r.Kind) }

// State is what a runtime knows of one of its EventSources or Sensors.
type State struct {
	// Running is true while the object runs; false once it has failed
	// (a Sensor is started again after a backoff).
	Running bool
	// Err is why it last stopped, nil while it runs.
	Err error
	// Since is when Running last changed.
	Since time.Time
}

// unit is one EventSource or Sensor running in the runtime.
type unit struct {
	ref    Ref
	hash   string
	obj    any // *v1alpha1.EventSource or *v1alpha1.Sensor, as applied
	cancel context.CancelFunc
	done   chan struct{}
	state  State

	// starting says what of the unit is still starting, for Ready.
	starting func() string
	// waiting is true while readiness waits for the unit to start;
	// retired once it no longer counts (see readiness.go).
	waiting atomic.Bool
	waitMu  sync.Mutex
	retired bool
	// graceOver is set once the start grace has passed (readiness.go);
	// grace is its timer. Both are guarded by waitMu.
	graceOver bool
	grace     *time.Timer
}

func newUnit(ref Ref, hash string, obj any) *unit {
	return &unit{ref: ref, hash: hash, obj: obj}
}

// specHash identifies a spec: an object is restarted only when it changes.
func specHash(spec any) string {
	b, err := json.Marshal(spec)
	if err != nil {
		return fmt.Sprintf("unhashable %p", spec)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// ApplyEventSource starts es, or restarts it when it already runs with
// another spec; it does nothing when es runs with the same spec. It reports
// whether es was (re)started.
func (rt *Runtime) ApplyEventSource(es *v1alpha1.EventSource) bool {
	es = es.DeepCopy()
	if es.Namespace == "" {
		es.Namespace = rt.cfg.Namespace
	}
	u := newUnit(Ref{Kind: v1alpha1.KindEventSource, Namespace: es.Namespace, Name: es.Name}, specHash(es.Spec), es)
	status := eventsource.NewStatus(func(started bool) { rt.setWaiting(u, !started) })
	u.starting = func() string { return sourceStarting(status) }
	return rt.apply(u, func(ctx context.Context) {
		env := eventsource.Env{
			Logger:      rt.log.With("namespace", es.Namespace),
			Dynamic:     rt.dyn,
			Namespace:   es.Namespace,
			Shared:      rt.shared,
			WebhookHost: rt.cfg.WebhookHost,
			Secrets:     rt.secrets,
			Checkpoints: rt.state.Checkpoints(),
			State:       rt.state,
		}
		err := eventsource.Run(ctx, rt.cfg.Sources, env, es, rt.publish,
			eventsource.WithMetrics(rt.sourceMetrics), eventsource.WithTrace(rt.recorder), eventsource.WithStatus(status))
		if err != nil && ctx.Err() == nil {
			env.Logger.Error("event source stopped", "eventsource", es.Name, "error", err)
			rt.setState(u, false, err)
			rt.setWaiting(u, false) // stopped for good: nothing to wait for
			if rt.cfg.StopOnSourceError {
				rt.fail(fmt.Errorf("running EventSource %s/%s: %w", es.Namespace, es.Name, err))
			}
		}
	})
}

// ApplySensor starts sn, or restarts it when it already runs with another
// spec; it does nothing when sn runs with the same spec. A Sensor that
// fails is started again after a backoff. It reports whether sn was
// (re)started.
func (rt *Runtime) ApplySensor(sn *v1alpha1.Sensor) (bool, error) {
	runner, err := rt.sensorRunner()
	if err != nil {
		return false, err
	}
	sn = sn.DeepCopy()
	if sn.Namespace == "" {
		sn.Namespace = rt.cfg.Namespace
	}
	u := newUnit(Ref{Kind: v1alpha1.KindSensor, Namespace: sn.Namespace, Name: sn.Name}, specHash(sn.Spec), sn)
	u.starting = func() string { return "subscribing" }
	subscribed := func() { rt.setWaiting(u, false) }
	// The sensor package adds the namespace and sensor keys itself.
	log := rt.log
	return rt.apply(u, func(ctx context.Context) {
		for attempt := 0; ctx.Err() == nil; attempt++ {
			if attempt > 0 {
				rt.setState(u, true, nil)
			}
			err := runner.run(ctx, sn, log, subscribed)
			if ctx.Err() != nil {
				return
			}
			log.Error("sensor stopped; restarting", "namespace", sn.Namespace, "sensor", sn.Name, "error", err)
			rt.setState(u, false, err)
			rt.setWaiting(u, true)
			select {
			case <-ctx.Done():
			case <-time.After(sensorRestartBackoff(attempt)):
			}
		}
	}), nil
}

// Remove stops the object ref names, if it runs, and waits until it has
// stopped: an EventSource's in-flight publishes and a Sensor's in-flight
// triggers end first.
func (rt *Runtime) Remove(ref Ref) bool {
	rt.mu.Lock()
	u, ok := rt.units[ref]
	delete(rt.units, ref)
	rt.mu.Unlock()
	if !ok {
		return false
	}
	rt.retire(u)
	rt.version.Add(1)
	u.stop()
	rt.log.Info("stopped", "namespace", ref.Namespace, ref.logKey(), ref.Name)
	return true
}

// State reports the state of the object ref names; false when it does not run.
func (rt *Runtime) State(ref Ref) (State, bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	u, ok := rt.units[ref]
	if !ok {
		return State{}, false
	}
	return u.state, true
}

// Refs lists the objects the runtime runs.
func (rt *Runtime) Refs() []Ref {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	refs := make([]Ref, 0, len(rt.units))
	for r := range rt.units {
		refs = append(refs, r)
	}
	return refs
}

// apply replaces the unit of u.ref by u running body, unless one runs with
// the same hash. The old unit has stopped before the new one starts (a
// webhook keeps its port). Readiness waits for u until body says it has
// started (setWaiting).
func (rt *Runtime) apply(u *unit, body func(context.Context)) bool {
	ref := u.ref
	rt.mu.Lock()
	old, ok := rt.units[ref]
	if ok && old.hash == u.hash {
		rt.mu.Unlock()
		return false
	}
	delete(rt.units, ref)
	rt.mu.Unlock()
	if ok {
		rt.retire(old)
		old.stop()
	}
	if rt.runCtx.Err() != nil {
		return false
	}
	ctx, cancel := context.WithCancel(rt.runCtx)
	u.cancel, u.done, u.state = cancel, make(chan struct{}), State{Running: true, Since: time.Now()}
	rt.setWaiting(u, true)
	rt.startGrace(u)
	rt.mu.Lock()
	rt.units[ref] = u
	rt.mu.Unlock()
	rt.version.Add(1)
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		defer close(u.done)
		body(ctx)
	}()
	if ok {
		rt.log.Info("restarted", "namespace", ref.Namespace, ref.logKey(), ref.Name)
	} else {
		rt.log.Info("started", "namespace", ref.Namespace, ref.logKey(), ref.Name)
	}
	rt.notify(ref)
	return true
}

func (u *unit) stop() {
	u.cancel()
	<-u.done
}

// setState records u's state and tells Config.OnChange.
func (rt *Runtime) setState(u *unit, running bool, err error) {
	rt.mu.Lock()
	u.state = State{Running: running, Err: err, Since: time.Now()}
	rt.mu.Unlock()
	rt.notify(u.ref)
}

func (rt *Runtime) notify(ref Ref) {
	if rt.cfg.OnChange != nil {
		rt.cfg.OnChange(ref)
	}
}

// EventSources returns the EventSources the runtime runs, by namespace and
// name (the web UI draws them).
func (rt *Runtime) EventSources() []*v1alpha1.EventSource {
	return unitObjects[*v1alpha1.EventSource](rt)
}

// Sensors returns the Sensors the runtime runs, by namespace and name.
func (rt *Runtime) Sensors() []*v1alpha1.Sensor { return unitObjects[*v1alpha1.Sensor](rt) }

// Version changes each time an object starts, restarts or stops.
func (rt *Runtime) Version() uint64 { return rt.version.Load() }

// unitObjects lists the running objects of type T, sorted by reference.
func unitObjects[T any](rt *Runtime) []T {
	rt.mu.Lock()
	units := make([]*unit, 0, len(rt.units))
	for _, u := range rt.units {
		if _, ok := u.obj.(T); ok {
			units = append(units, u)
		}
	}
	rt.mu.Unlock()
	slices.SortFunc(units, func(a, b *unit) int { return strings.Compare(a.ref.String(), b.ref.String()) })
	out := make([]T, len(units))
	for i, u := range units {
		out[i], _ = u.obj.(T)
	}
	return out
}
