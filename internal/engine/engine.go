// Package engine runs Herald objects in one process: it starts (or connects
// to) the event bus, runs EventSources and Sensors with the shared clients,
// servers and informers, serves health and metrics, and shuts all of it down
// in order — sources first, then in-flight publishes are drained, then the
// bus. Run runs a fixed bundle ("herald run"); a Runtime adds, replaces and
// removes objects while it runs ("herald controller").
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/rest"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/bundle"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/trigger"
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
	// BusSyncInterval and BusSyncAlways set how the embedded bus's file
	// store reaches the disk (jetstream.EmbeddedOptions); set, they win
	// over an EventBus's settings.
	BusSyncInterval time.Duration
	BusSyncAlways   bool
	// BusListen is the embedded server's client address; empty means no TCP
	// listener at all (only this process reaches it).
	BusListen string
	// BusServerName names the embedded server ("" : "herald" alone, or
	// $POD_NAME or the host name in a cluster).
	BusServerName string
	// BusClusterName, BusClusterListen and BusClusterPeers make the
	// embedded server one of a JetStream cluster formed by the replicas
	// (see jetstream.ClusterOptions); it is clustered when BusClusterPeers
	// or BusClusterListen is set (listen default ":6222").
	BusClusterName   string
	BusClusterListen string
	BusClusterPeers  []string
	// BusReplicas is the number of copies of each stream and bucket
	// (0: three in a cluster listing three peers or more, two with two,
	// one for a single server; see jetstream.ClusterOptions.Replicas).
	// With an external bus it overrides the EventBus's streamConfig
	// replicas.
	BusReplicas int
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
	// Profiling also serves Go's /debug/pprof profiles on MetricsAddr.
	Profiling bool
	// Registry holds the metrics /metrics serves (nil: a new one). Give one
	// to add metrics of parts that run beside the runtime.
	Registry *prometheus.Registry
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
	// EventBuses configure the bus like the bundle's EventBus objects (the
	// controller reads them from the cluster).
	EventBuses []*v1alpha1.EventBus
	// StopOnSourceError makes an EventSource that cannot run end the runtime
	// (Err delivers it), as "herald run" wants; otherwise only its State says so.
	StopOnSourceError bool
	// OnChange, when set, is called (without locks held; keep it quick) when
	// an EventSource or Sensor starts, fails or is started again.
	OnChange func(Ref)
	// ReadyWithoutUnits makes the runtime ready as soon as SetReady(true),
	// whatever its EventSources and Sensors do: the controller's replica
	// serves many teams' objects, and one that cannot start (a webhook
	// port another object holds) must not take the replica out of its
	// Service. Otherwise the runtime is first ready once every unit has
	// started (see Runtime.Ready).
	ReadyWithoutUnits bool
	// StartGrace bounds how long the first readiness waits for one
	// EventSource or Sensor to start (0: DefaultStartGrace; negative: no
	// bound): past it, one that still cannot start (a broker away, a port
	// held) is logged and left to its State, so that it does not keep the
	// process's other webhooks out of a Service for good.
	StartGrace time.Duration
	// OnReady, when set, is called once, from a goroutine of its own, the
	// first time the runtime is ready (Runtime.Ready: what /readyz says):
	// "herald run --ready-file" writes its file there.
	OnReady func()
	// NoTraces turns the event traces off (each event is written a second
	// time with its trace: a few percent of the webhook-to-HTTP CPU in the
	// data folder's files, about 13 % on a shared bus).
	NoTraces bool
}

// Run runs every EventSource and Sensor of cfg.Bundle until ctx ends, then
// shuts down in order. It returns an error when something could not start
// or an EventSource fails; a clean shutdown returns nil.
func Run(ctx context.Context, cfg Config) error {
	cfg.StopOnSourceError = true
	rt, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer rt.Close()
	for _, es := range cfg.Bundle.EventSources() {
		rt.ApplyEventSource(es)
	}
	for _, sn := range cfg.Bundle.Sensors() {
		if _, err := rt.ApplySensor(sn); err != nil {
			return err
		}
	}
	rt.SetReady(true)
	rt.log.Info("herald running", "eventsources", len(cfg.Bundle.EventSources()), "sensors", len(cfg.Bundle.Sensors()))

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-rt.Err():
	}
	rt.log.Info("shutting down")
	return runErr
}

// eventBuses are the EventBus objects that configure the bus.
func (cfg Config) eventBuses() []*v1alpha1.EventBus {
	if cfg.Bundle != nil {
		return append(cfg.Bundle.EventBuses(), cfg.EventBuses...)
	}
	return cfg.EventBuses
}

// connectBus connects to the external bus the flags or an EventBus manifest
// name, or starts the embedded one. The returned func closes the connection
// (draining in-flight publishes) and stops the embedded server.
func connectBus(ctx context.Context, cfg Config, secrets eventsource.Env) (*jetstream.Bus, func(), error) {
	log := cfg.Logger
	var opts jetstream.Options
	var settings validation.JetStreamSettings
	// An EventBus with jetstreamExotic names an existing server, with its
	// credentials, TLS and stream limits; one with jetstream gives the
	// embedded server its settings and its stream its limits.
	for _, eb := range cfg.eventBuses() {
		if eb.Spec.JetStreamExotic == nil {
			js := eb.Spec.JetStream
			if js == nil {
				continue
			}
			s, err := validation.EmbeddedSettings(js)
			if err != nil {
				return nil, nil, fmt.Errorf("EventBus %s: %w", eb.Name, err)
			}
			settings = s
			if js.StreamConfig != nil && opts.URLs == nil {
				if opts.Stream, err = parseStreamConfig(*js.StreamConfig); err != nil {
					return nil, nil, fmt.Errorf("EventBus %s: %w", eb.Name, err)
				}
			}
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
	embedded, err := startEmbedded(ctx, cfg, &opts, settings)
	if err != nil {
		return nil, nil, err
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
