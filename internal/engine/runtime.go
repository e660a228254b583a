package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"k8s.io/client-go/dynamic"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/kvstate"
	"github.com/herald-dev/herald/internal/metrics"
	"github.com/herald-dev/herald/internal/ops"
	"github.com/herald-dev/herald/internal/trace"
	"github.com/herald-dev/herald/internal/trigger/clients"
)

// Runtime runs EventSources and Sensors that come and go while it runs. They
// share one event bus, one Kubernetes client factory, one metrics registry
// and one trace recorder. Start builds it; Close stops everything in order.
type Runtime struct {
	cfg   Config
	log   *slog.Logger
	reg   *prometheus.Registry
	ready atomic.Bool
	// pending counts the units still starting; firstReady is closed the
	// first time the runtime is ready (see readiness.go).
	pending    atomic.Int64
	wasReady   atomic.Bool // ready once: readiness no longer waits for units
	firstReady chan struct{}
	readyOnce  sync.Once

	bus     *jetstream.Bus
	secrets eventsource.SecretReader
	factory *clients.Factory
	dyn     dynamic.Interface
	state   *kvstate.Store

	sourceMetrics *metrics.Sources
	recorder      *trace.Recorder
	shared        *eventsource.Shared

	// runCtx ends when Close begins: every unit's context derives from it.
	runCtx     context.Context
	stopUnits  context.CancelFunc
	stopTraces func()
	stopBus    func()
	wg         sync.WaitGroup
	errc       chan error

	// sensorsOnce opens the sensors' state on the first Sensor.
	sensorsMu sync.Mutex
	sensors   *sensorRunner

	mu    sync.Mutex
	units map[Ref]*unit
	// version counts the changes of units (the web UI's graph follows it).
	version atomic.Uint64
}

// Start connects to (or starts) the event bus and serves health and metrics
// (and the web UI of what it runs when cfg asks for it); it runs no
// EventSource or Sensor until Apply is called. The runtime is not ready
// (/readyz) until SetReady(true) and what it runs has started (see Ready).
func Start(ctx context.Context, cfg Config) (*Runtime, error) {
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	rt := &Runtime{cfg: cfg, log: cfg.Logger, units: map[Ref]*unit{}, errc: make(chan error, 1), firstReady: make(chan struct{})}
	rt.reg = cfg.Registry
	if rt.reg == nil {
		rt.reg = prometheus.NewRegistry()
	}
	rt.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	opsServer := ops.New(rt.reg, rt.log)
	if cfg.Profiling {
		opsServer.EnableProfiling()
	}
	opsServer.AddReadinessCheck("engine", rt.Ready)
	if cfg.SecretsDir != "" {
		rt.secrets = eventsource.FileSecrets(cfg.SecretsDir)
	}
	// One client factory for the process: sources, Secrets and triggers
	// acting as Herald share its client; triggers acting as a Sensor's
	// ServiceAccount get theirs from it too.
	if cfg.Kube != nil {
		rt.factory = clients.NewFactory(cfg.Kube, cfg.Kube.QPS, cfg.Kube.Burst)
		var err error
		if rt.dyn, err = rt.factory.Dynamic(""); err != nil {
			return nil, fmt.Errorf("creating the Kubernetes client: %w", err)
		}
	}
	bus, stopBus, err := connectBus(ctx, cfg, eventsource.Env{Dynamic: rt.dyn, Secrets: rt.secrets})
	if err != nil {
		return nil, err
	}
	rt.bus, rt.stopBus = bus, stopBus
	// A store the embedded bus cannot write to stays so until a restart.
	opsServer.AddHealthCheck("eventbus", bus.StoreFault)
	metrics.RegisterBus(rt.reg, bus.Stats)
	rt.sourceMetrics = metrics.NewSources(rt.reg)
	kv, err := bus.KeyValue(ctx, "herald-sources")
	if err != nil {
		stopBus()
		return nil, fmt.Errorf("opening the sources' state bucket: %w", err)
	}
	rt.state = kvstate.New(kv)
	traces, recorder, stopTraces := openTraces(ctx, cfg, bus, rt.reg)
	rt.recorder, rt.stopTraces = recorder, stopTraces
	rt.shared = eventsource.NewShared()

	rt.runCtx, rt.stopUnits = context.WithCancel(ctx)
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		if err := opsServer.ListenAndServe(rt.runCtx, cfg.MetricsAddr); err != nil {
			rt.fail(err)
		}
	}()
	if cfg.OnReady != nil {
		rt.wg.Go(func() {
			select {
			case <-rt.firstReady:
				cfg.OnReady()
			case <-rt.runCtx.Done():
			}
		})
	}
	if cfg.UIAddr != "" {
		mux := uiMux(cfg, rt, traces, recorder, bus, rt.reg)
		rt.wg.Add(1)
		go func() {
			defer rt.wg.Done()
			if err := serveUI(rt.runCtx, cfg, mux, rt.log); err != nil {
				rt.fail(err)
			}
		}()
	}
	return rt, nil
}

// Err delivers the first error that ends the runtime's usefulness: a
// metrics or UI server that stopped, or (with Config.StopOnSourceError) an
// EventSource that could not run.
func (rt *Runtime) Err() <-chan error { return rt.errc }

func (rt *Runtime) fail(err error) {
	select {
	case rt.errc <- err:
	default:
	}
}

// SetReady says whether the runtime has applied what it runs: /readyz
// answers ok once it is true and all of that has started (see Ready).
func (rt *Runtime) SetReady(ready bool) {
	rt.ready.Store(ready)
	rt.checkReady()
}

// Registry is the metrics registry /metrics serves.
func (rt *Runtime) Registry() *prometheus.Registry { return rt.reg }

// Close stops every EventSource and Sensor, then the trace recorder once it
// has written what it holds, then the bus (draining in-flight publishes).
func (rt *Runtime) Close() {
	rt.ready.Store(false)
	rt.stopUnits()
	rt.wg.Wait()
	rt.mu.Lock()
	clear(rt.units)
	rt.mu.Unlock()
	rt.stopTraces()
	rt.stopBus()
}

// publish is the Emit of every EventSource: it publishes to the bus,
// observes the publish's latency and records the event's trace.
func (rt *Runtime) publish(ctx context.Context, ev *event.Event) error {
	start := time.Now()
	ack, err := rt.bus.Publish(ctx, ev)
	rt.sourceMetrics.ObservePublish(ev.Source, ev.Subject, time.Since(start))
	if err == nil {
		rt.recorder.Published(ev, ack.Sequence)
	}
	return err
}

// sensorRunner returns the runner of Sensors, opening the sensors' state
// bucket on first use.
func (rt *Runtime) sensorRunner() (*sensorRunner, error) {
	rt.sensorsMu.Lock()
	defer rt.sensorsMu.Unlock()
	if rt.sensors != nil {
		return rt.sensors, nil
	}
	runner, err := newSensorRunner(rt.runCtx, rt.cfg, rt.bus, metrics.NewSensors(rt.reg), metrics.NewReconciles(rt.reg), rt.secrets, rt.factory, rt.dyn)
	if err != nil {
		return nil, err
	}
	runner.trace = rt.recorder
	rt.sensors = runner
	return runner, nil
}
