// Package sensor runs one Sensor: it subscribes to the event bus for the
// Sensor's dependencies, passes each event through the dependency's
// transform and filters (in Argo's order), gathers events toward each
// trigger's conditions in durable State, fires the triggers whose
// conditions hold and acknowledges the event only once every trigger it
// caused has succeeded or failed for good (at-least-once delivery).
//
// Events about the same Kubernetes object (or, for other events, of the
// same EventSource event) are handled strictly one after the other, in the
// order the bus hands them over; events with different keys are handled in
// parallel by a bounded pool of workers. The Sensor's handler only queues,
// so the bus loses nothing by calling it from one goroutine (JetStream
// Options.HandlerWorkers = 1), which keeps the stream's order exactly; with
// more, two events of a key delivered at the same moment may swap. An event
// about a Kubernetes object that fails transiently is retried in place,
// holding back the object's later events, and a redelivered event older
// than one already handled for its object is skipped (see handle); other
// events handed back for redelivery come back after later ones.
//
// Delivery follows Argo Events v1.9 (the JetStream sensor): the transform
// runs before the filters; a trigger whose condition has no "&&" fires on
// each event of each of its dependencies, alone; other triggers gather the
// latest event of each dependency in State until their condition holds,
// fire with them, and clear all they gathered; conditionsReset schedules
// drop events gathered before the time they name.
package sensor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/sensor/filter"
	"github.com/herald-dev/herald/internal/sensor/transform"
	"github.com/herald-dev/herald/internal/trace"
	"github.com/herald-dev/herald/internal/trigger"
)

// Defaults of Config.
const (
	DefaultWorkers    = 16
	DefaultQueue      = 64
	DefaultMaxDeliver = 10
)

// FireFunc runs a trigger once for a request, with whatever retries and
// rate limit spec asks for; it returns the last error, terminal or not.
type FireFunc func(ctx context.Context, t trigger.Trigger, req *trigger.Request, spec *v1alpha1.Trigger) (trigger.Result, error)

// Config is what Run needs to run one Sensor.
type Config struct {
	// Sensor is the Sensor to run (validated beforehand).
	Sensor *v1alpha1.Sensor
	// Bus delivers the Sensor's events.
	Bus eventbus.Subscriber
	// Registry holds the trigger kinds.
	Registry *trigger.Registry
	// Env is given to every trigger kind's constructor (its Logger is
	// replaced by one carrying the sensor and trigger keys).
	Env trigger.Env
	// State keeps half-satisfied conditions (nil: a MemoryState).
	State State
	// Fire runs a trigger (nil: Execute once). The binary passes the retry
	// helper that honours retryStrategy and rateLimit.
	Fire FireFunc
	// Metrics counts events and firings (nil: nothing is counted).
	Metrics Metrics
	// Logger logs (nil: nothing is logged).
	Logger *slog.Logger
	// Trace records what the Sensor makes of each event (nil: nothing
	// is recorded).
	Trace *trace.Recorder
	// Subscribed, when set, is called each time the Sensor's subscription
	// to the bus exists (see eventbus.Subscription.Started).
	Subscribed func()
	// Workers is the number of events handled at once (0: DefaultWorkers).
	Workers int
	// Queue bounds the events waiting for each worker (0: DefaultQueue).
	Queue int
	// MaxDeliver is the delivery after which a transient failure is treated
	// as terminal (0: DefaultMaxDeliver).
	MaxDeliver int
	// AckWait is the subscription's ack wait (0: the bus's default).
	AckWait time.Duration
	// Redelivery says how long the bus waits before redelivering an event
	// whose triggers failed transiently, by the number of deliveries so far
	// (nil: 1s doubling up to 1m).
	Redelivery func(delivered uint64) time.Duration
	// AtMostOnceUnlessSet selects Argo's default delivery: a trigger
	// without `atLeastOnce: true` has its event acknowledged before it
	// fires and its outcome ignored. When false (Herald's default) every
	// trigger is at-least-once, since the manifest field cannot tell an
	// absent atLeastOnce from an explicit false.
	AtMostOnceUnlessSet bool
	// Now is the clock (nil: time.Now); tests move it to reach a
	// conditionsReset schedule.
	Now func() time.Time
	// FilterOptions and TransformOptions tune the compilation of the
	// dependencies.
	FilterOptions    filter.Options
	TransformOptions transform.Options
}

// DurableName is the bus consumer name of a Sensor.
func DurableName(s *v1alpha1.Sensor) string {
	return "sensor-" + s.Namespace + "-" + s.Name
}

// Run runs the Sensor until ctx ends, then returns nil once the events in
// hand are acknowledged or given back. It returns an error at once when the
// Sensor does not compile, and when the subscription fails for good.
func Run(ctx context.Context, cfg Config) error {
	e, err := newEngine(cfg)
	if err != nil {
		return err
	}
	return e.run(ctx)
}

// run subscribes and hands the messages to the dispatcher until ctx ends.
func (e *engine) run(ctx context.Context) error {
	if e.bus == nil {
		return errors.New("running sensor: no event bus")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d := newDispatcher(ctx, e.workers, e.queue, e.handle)
	sub := eventbus.Subscription{
		Durable: DurableName(e.sensor),
		Filters: e.filters(),
		AckWait: e.ackWait,
		Started: e.subscribed,
	}
	e.log.Info("sensor started", "dependencies", len(e.deps), "triggers", len(e.triggers))
	err := e.bus.Subscribe(ctx, sub, func(hctx context.Context, m eventbus.Message) {
		d.dispatch(hctx, m)
	})
	cancel()
	d.close()
	e.log.Info("sensor stopped")
	if err != nil {
		return fmt.Errorf("running sensor %s/%s: %w", e.sensor.Namespace, e.sensor.Name, err)
	}
	return nil
}

// filters are the bus filters of the dependencies, each once.
func (e *engine) filters() []eventbus.Filter {
	seen := map[eventbus.Filter]bool{}
	var out []eventbus.Filter
	for _, d := range e.deps {
		f := eventbus.Filter{EventSource: d.spec.EventSourceName, Event: d.spec.EventName}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}
