package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/dynamic"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/metrics"
	"github.com/herald-dev/herald/internal/sensor"
	"github.com/herald-dev/herald/internal/trace"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/clients"
)

// sensorRunner runs the Sensors of a bundle on a bus.
type sensorRunner struct {
	cfg     Config
	bus     *jetstream.Bus
	state   sensor.State
	metrics *metrics.Sensors
	env     trigger.Env
	// kept holds what triggers keep between firings (the k8s trigger's
	// reconcile records), in the sensors' bucket.
	kept       trigger.Store
	reconciles *metrics.Reconciles
	// trace records what the Sensors make of events (nil: nothing).
	trace *trace.Recorder
}

func newSensorRunner(ctx context.Context, cfg Config, bus *jetstream.Bus, m *metrics.Sensors, rm *metrics.Reconciles, secrets eventsource.SecretReader, factory *clients.Factory, dyn dynamic.Interface) (*sensorRunner, error) {
	kv, err := bus.KeyValue(ctx, "herald-sensors")
	if err != nil {
		return nil, fmt.Errorf("opening the sensors' state bucket: %w", err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	env := trigger.Env{
		Kube: cfg.Kube,
		HTTP: &http.Client{Transport: transport},
	}
	if factory != nil {
		env.Clients = factory.Dynamic
	} else {
		env.Clients = func(string) (dynamic.Interface, error) {
			return nil, trigger.Terminal(eventsource.ErrNoCluster)
		}
	}
	env.Secrets = func(ctx context.Context, namespace string, sel *corev1.SecretKeySelector) ([]byte, error) {
		return eventsource.Env{Namespace: namespace, Secrets: secrets, Dynamic: dyn}.ReadSecret(ctx, sel)
	}
	return &sensorRunner{cfg: cfg, bus: bus, state: sensor.NewKVState(kv), metrics: m, env: env, kept: kvStore{kv}, reconciles: rm}, nil
}

// run runs one Sensor until ctx ends; subscribed is called once its bus
// subscription exists.
func (r *sensorRunner) run(ctx context.Context, sn *v1alpha1.Sensor, log *slog.Logger, subscribed func()) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the triggers' background work with this run
	env := r.env
	env.Logger = log
	env.Background = &trigger.Background{Done: ctx.Done(), Store: r.kept, Metrics: r.reconciles.For(sn.Namespace, sn.Name)}
	firers := &firerSet{}
	return sensor.Run(ctx, sensor.Config{
		Sensor:     sn,
		Bus:        r.bus,
		Registry:   r.cfg.Triggers,
		Env:        env,
		State:      r.state,
		Fire:       firers.fire,
		Metrics:    r.metrics.For(sn.Namespace, sn.Name),
		Logger:     log,
		Trace:      r.trace,
		Subscribed: subscribed,
	})
}

// kvStore is a trigger.Store over a bucket of the bus.
type kvStore struct{ kv jetstream.KV }

func (s kvStore) Get(ctx context.Context, key string) ([]byte, error) {
	val, _, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	return val, err
}

func (s kvStore) Put(ctx context.Context, key string, val []byte) error {
	_, err := s.kv.Put(ctx, key, val)
	return err
}

func (s kvStore) Delete(ctx context.Context, key string) error { return s.kv.Delete(ctx, key) }

// firerSet keeps one Firer (retry strategy and rate limit) per trigger spec,
// found by the trigger's name so that templates rewritten by parameters share
// their trigger's rate limit.
type firerSet struct {
	mu     sync.Mutex
	byName map[string]*trigger.Firer
}

func (s *firerSet) fire(ctx context.Context, t trigger.Trigger, req *trigger.Request, spec *v1alpha1.Trigger) (trigger.Result, error) {
	f, err := s.get(spec)
	if err != nil {
		return trigger.Result{}, trigger.Terminal(err)
	}
	return f.Fire(ctx, t, req)
}

func (s *firerSet) get(spec *v1alpha1.Trigger) (*trigger.Firer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byName == nil {
		s.byName = map[string]*trigger.Firer{}
	}
	name := ""
	if spec.Template != nil {
		name = spec.Template.Name
	}
	if f, ok := s.byName[name]; ok {
		return f, nil
	}
	f, err := trigger.NewFirer(spec)
	if err != nil {
		return nil, fmt.Errorf("setting up the retry strategy of trigger %s: %w", name, err)
	}
	s.byName[name] = f
	return f, nil
}

// sensorRestartBackoff paces restarts of a Sensor whose run failed.
func sensorRestartBackoff(attempt int) time.Duration {
	d := time.Second << min(attempt, 5)
	return min(d, 30*time.Second)
}
