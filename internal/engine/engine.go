// Package engine runs a bundle of Herald objects in one process: it starts
// (or connects to) the event bus, runs every EventSource and every Sensor
// with the shared clients, servers and informers, serves health and metrics, and shuts all of
// it down in order — sources first, then in-flight publishes are drained,
// then the bus.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/herald-dev/herald/internal/bundle"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/kvstate"
	"github.com/herald-dev/herald/internal/metrics"
	"github.com/herald-dev/herald/internal/ops"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/clients"
)

// Config says what to run and where.
type Config struct {
	// Bundle holds the validated objects to run.
	Bundle *bundle.Bundle
	// Sources are the event source kinds available.
	Sources *eventsource.Registry
	// Triggers are the trigger kinds available.
	Triggers *trigger.Registry
	// DataDir holds the embedded bus's store.
	DataDir string
	// BusURLs, when set, name an external JetStream cluster instead of the
	// embedded server (they override an EventBus manifest's URL).
	BusURLs []string
	// BusListen is the embedded server's client address; empty means no TCP
	// listener at all (only this process reaches it).
	BusListen string
	// Kube is the cluster's client configuration; nil runs without a cluster.
	Kube *rest.Config
	// Namespace is given to objects whose manifest names none.
	Namespace string
	// SecretsDir, when set, holds Secret keys as files (DIR/<name>/<key>),
	// read instead of the cluster's Secrets.
	SecretsDir string
	// WebhookHost is the address webhook ports bind to ("" = all interfaces).
	WebhookHost string
	// MetricsAddr serves /healthz, /readyz and /metrics ("" = not served).
	MetricsAddr string
	// ShutdownTimeout bounds the drain of in-flight publishes at shutdown.
	ShutdownTimeout time.Duration
	// Logger receives the logs.
	Logger *slog.Logger
	// UIAddr serves the web UI and the events API ("" = not served);
	// UIToken, when set, is the bearer token the API asks for.
	UIAddr  string
	UIToken string
	// TraceMaxAge and TraceMaxBytes bound the event traces kept on the bus
	// (0: DefaultTraceMaxAge, DefaultTraceMaxBytes).
	TraceMaxAge   time.Duration
	TraceMaxBytes int64
	// NoTraces turns the event traces off (they cost about 13 % of the
	// webhook-to-HTTP throughput: each event is stored a second time).
	NoTraces bool
}

// Run runs everything until ctx ends, then shuts down in order. It returns
// an error when something could not start; a clean shutdown returns nil.
func Run(ctx context.Context, cfg Config) error {
	log := cfg.Logger
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	opsServer := ops.New(reg, log)
	var ready atomic.Bool
	opsServer.AddReadinessCheck("engine", func() error {
		if !ready.Load() {
			return errors.New("starting")
		}
		return nil
	})

	var secrets eventsource.SecretReader
	if cfg.SecretsDir != "" {
		secrets = eventsource.FileSecrets(cfg.SecretsDir)
	}
	// One client factory for the process: sources, Secrets and triggers
	// acting as Herald share its client; triggers acting as a Sensor's
	// ServiceAccount get theirs from it too.
	var factory *clients.Factory
	var dyn dynamic.Interface
	if cfg.Kube != nil {
		factory = clients.NewFactory(cfg.Kube, cfg.Kube.QPS, cfg.Kube.Burst)
		var err error
		if dyn, err = factory.Dynamic(""); err != nil {
			return fmt.Errorf("creating the Kubernetes client: %w", err)
		}
	}
	bus, stopBus, err := connectBus(ctx, cfg, eventsource.Env{Dynamic: dyn, Secrets: secrets})
	if err != nil {
		return err
	}
	defer stopBus()
	metrics.RegisterBus(reg, bus.Stats)
	sourceMetrics := metrics.NewSources(reg)

	kv, err := bus.KeyValue(ctx, "herald-sources")
	if err != nil {
		return fmt.Errorf("opening the sources' state bucket: %w", err)
	}
	state := kvstate.New(kv)
	traces, recorder, stopTraces := openTraces(ctx, cfg, bus, reg)
	defer stopTraces()

	runCtx, stopSources := context.WithCancel(ctx)
	defer stopSources()
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := opsServer.ListenAndServe(runCtx, cfg.MetricsAddr); err != nil {
			select {
			case errc <- err:
			default:
			}
		}
	}()

	if cfg.UIAddr != "" {
		mux := uiMux(cfg, traces, recorder, bus, reg)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := serveUI(runCtx, cfg, mux, log); err != nil {
				select {
				case errc <- err:
				default:
				}
			}
		}()
	}

	shared := eventsource.NewShared()
	for _, es := range cfg.Bundle.EventSources() {
		es := es.DeepCopy()
		if es.Namespace == "" {
			es.Namespace = cfg.Namespace
		}
		env := eventsource.Env{
			Logger:      log.With("namespace", es.Namespace),
			Dynamic:     dyn,
			Namespace:   es.Namespace,
			Shared:      shared,
			WebhookHost: cfg.WebhookHost,
			Secrets:     secrets,
			Checkpoints: state.Checkpoints(),
			State:       state,
		}
		publish := func(ctx context.Context, ev *event.Event) error {
			start := time.Now()
			ack, err := bus.Publish(ctx, ev)
			sourceMetrics.ObservePublish(ev.Source, ev.Subject, time.Since(start))
			if err == nil {
				recorder.Published(ev, ack.Sequence)
			}
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := eventsource.Run(runCtx, cfg.Sources, env, es, publish, eventsource.WithMetrics(sourceMetrics), eventsource.WithTrace(recorder))
			if err != nil && runCtx.Err() == nil {
				env.Logger.Error("event source stopped", "eventsource", es.Name, "error", err)
				select {
				case errc <- fmt.Errorf("running EventSource %s/%s: %w", es.Namespace, es.Name, err):
				default:
				}
			}
		}()
	}
	if len(cfg.Bundle.Sensors()) > 0 {
		runner, err := newSensorRunner(ctx, cfg, bus, metrics.NewSensors(reg), metrics.NewReconciles(reg), secrets, factory, dyn)
		if err != nil {
			return err
		}
		runner.trace = recorder
		for _, sn := range cfg.Bundle.Sensors() {
			sn := sn.DeepCopy()
			if sn.Namespace == "" {
				sn.Namespace = cfg.Namespace
			}
			// The sensor package adds the namespace and sensor keys itself.
			snLog := log
			wg.Add(1)
			go func() {
				defer wg.Done()
				for attempt := 0; runCtx.Err() == nil; attempt++ {
					err := runner.run(runCtx, sn, snLog)
					if runCtx.Err() != nil {
						return
					}
					snLog.Error("sensor stopped; restarting", "namespace", sn.Namespace, "sensor", sn.Name, "error", err)
					select {
					case <-runCtx.Done():
					case <-time.After(sensorRestartBackoff(attempt)):
					}
				}
			}()
		}
	}
	ready.Store(true)
	log.Info("herald running", "eventsources", len(cfg.Bundle.EventSources()), "sensors", len(cfg.Bundle.Sensors()))

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	log.Info("shutting down")
	ready.Store(false)
	stopSources()
	wg.Wait()
	return runErr
}

// connectBus connects to the external bus the flags or an EventBus manifest
// name, or starts the embedded one. The returned func closes the connection
// (draining in-flight publishes) and stops the embedded server.
func connectBus(ctx context.Context, cfg Config, secrets eventsource.Env) (*jetstream.Bus, func(), error) {
	log := cfg.Logger
	var opts jetstream.Options
	// An EventBus with jetstreamExotic names an existing server, with its
	// credentials, TLS and stream limits.
	for _, eb := range cfg.Bundle.EventBuses() {
		if eb.Spec.JetStreamExotic == nil {
			continue
		}
		ns := eb.Namespace
		if ns == "" {
			ns = cfg.Namespace
		}
		var err error
		opts, err = exoticOptions(ctx, eb.Spec.JetStreamExotic, ns, secrets, filepath.Join(cfg.DataDir, "eventbus-tls"))
		if err != nil {
			return nil, nil, fmt.Errorf("EventBus %s: %w", eb.Name, err)
		}
	}
	if len(cfg.BusURLs) > 0 {
		opts.URLs = cfg.BusURLs
	}
	// One handler goroutine per subscription: a Sensor queues each message
	// by object and returns at once, so this keeps the stream's order without
	// costing parallelism. New Sensors see every event since this process
	// started, whichever of them and the sources starts first.
	opts.Name, opts.Logger = "herald", log.With("component", "eventbus")
	opts.HandlerWorkers, opts.DeliverSince = 1, time.Now().Add(-time.Second)
	urls := opts.URLs
	var embedded *jetstream.Embedded
	if len(urls) == 0 {
		dir := cfg.DataDir
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, nil, fmt.Errorf("creating the data folder %s: %w", dir, err)
		}
		var err error
		embedded, err = jetstream.StartEmbedded(ctx, jetstream.EmbeddedOptions{DataDir: dir, Listen: cfg.BusListen, Logger: log.With("component", "nats")})
		if err != nil {
			return nil, nil, fmt.Errorf("starting the embedded event bus: %w", err)
		}
		opts.InProcess = embedded
	}
	bus, err := jetstream.Connect(ctx, opts)
	if err != nil {
		if embedded != nil {
			_ = embedded.Shutdown(context.Background())
		}
		return nil, nil, fmt.Errorf("connecting to the event bus: %w", err)
	}
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		if err := bus.Close(ctx); err != nil {
			log.Error("closing the event bus", "error", err)
		}
		if embedded != nil {
			if err := embedded.Shutdown(ctx); err != nil {
				log.Error("stopping the embedded event bus", "error", err)
			}
		}
	}
	return bus, stop, nil
}
