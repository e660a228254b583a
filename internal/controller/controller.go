// Package controller is "herald controller": it watches EventSource, Sensor
// and EventBus objects in a cluster and runs every valid EventSource and
// Sensor in this one process, in an engine.Runtime that they share, and
// writes their status conditions.
//
// It is built on controller-runtime: one manager whose cache holds the three
// kinds (all namespaces, a list, or a label selector), one reconciler per
// kind. The runtime tells the reconcilers when an object fails or starts
// again through a channel source, so status follows what really runs.
package controller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crcontroller "sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/engine"
)

// Config says what the controller watches and how it runs what it finds.
type Config struct {
	// Engine is the runtime's configuration: bus, metrics, webhooks, traces.
	// Its Kube is the cluster watched; Bundle must be nil.
	Engine engine.Config
	// Namespaces limits the watch to these namespaces (empty: all).
	Namespaces []string
	// Selector limits the watch to objects with matching labels (nil: all).
	Selector labels.Selector
	// Support says which kinds this build runs (zero: DefaultSupport).
	Support *validation.Support
	// MaxConcurrentReconciles is per kind (0: 4).
	MaxConcurrentReconciles int
	// HA, when set, shares the work with the other replicas of its group.
	HA *HA
	// CountsInterval is how often status counts are updated (0:
	// DefaultCountsInterval).
	CountsInterval time.Duration
}

// ErrNoCluster: the controller needs a cluster to watch.
var ErrNoCluster = errors.New("herald controller needs a Kubernetes cluster")

// Run watches the cluster and runs what it finds until ctx ends, then stops
// every object (draining in-flight work) and the bus.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Engine.Kube == nil {
		return ErrNoCluster
	}
	if cfg.Engine.Logger == nil {
		cfg.Engine.Logger = slog.New(slog.DiscardHandler)
	}
	log := cfg.Engine.Logger
	support := validation.DefaultSupport()
	if cfg.Support != nil {
		support = *cfg.Support
	}
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return fmt.Errorf("building the scheme: %w", err)
	}
	cacheOpts := cache.Options{DefaultLabelSelector: cfg.Selector}
	if len(cfg.Namespaces) > 0 {
		cacheOpts.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range cfg.Namespaces {
			cacheOpts.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	if cfg.Engine.Namespace == "" && len(cfg.Namespaces) == 1 {
		cfg.Engine.Namespace = cfg.Namespaces[0]
	}

	buses, err := listEventBuses(ctx, cfg.Engine.Kube, scheme, cfg)
	if err != nil {
		return err
	}
	cfg.Engine.EventBuses = exoticBuses(buses, log)
	busDesc := describeBus(cfg.Engine)

	changed := map[string]chan event.GenericEvent{
		v1alpha1.KindEventSource: make(chan event.GenericEvent, 256),
		v1alpha1.KindSensor:      make(chan event.GenericEvent, 256),
		v1alpha1.KindEventBus:    make(chan event.GenericEvent, 16),
	}
	sh := shard{sources: cfg.Engine.Sources}
	resync := make(chan struct{}, 1)
	if cfg.HA != nil {
		m, _, err := startMembership(ctx, cfg.Engine.Kube, cfg.HA, log, func() {
			select {
			case resync <- struct{}{}:
			default:
			}
		})
		if err != nil {
			return err
		}
		sh.members = m
		// Registered before the runtime's Close, so it runs after it: the
		// others take this replica's objects once they have stopped here.
		defer func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := m.Release(rctx); err != nil {
				log.Warn("releasing this replica's work failed; the others take it over when its Lease expires", "error", err)
			}
		}()
	}
	cfg.Engine.OnChange = func(ref engine.Ref) { notify(ctx, changed[ref.Kind], ref) }
	// A replica is ready once its caches have synced, whatever one object
	// does (engine.Config.ReadyWithoutUnits).
	cfg.Engine.ReadyWithoutUnits = true
	rt, err := engine.Start(ctx, cfg.Engine)
	if err != nil {
		return err
	}
	defer rt.Close()

	mgr, err := ctrl.NewManager(cfg.Engine.Kube, ctrl.Options{
		Scheme:                 scheme,
		Logger:                 logr.FromSlogHandler(log.With("component", "controller-runtime").Handler()),
		Cache:                  cacheOpts,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		return fmt.Errorf("creating the controller manager: %w", err)
	}
	workers := cfg.MaxConcurrentReconciles
	if workers == 0 {
		workers = 4
	}
	opts := crcontroller.Options{MaxConcurrentReconciles: workers, SkipNameValidation: ptr.To(true)}
	c := mgr.GetClient()
	recorder := mgr.GetEventRecorder("herald-controller")
	counts := newCountBoard()
	countsEvery := cfg.CountsInterval
	if countsEvery <= 0 {
		countsEvery = DefaultCountsInterval
	}
	objects := objectReconciler{client: c, rt: rt, support: support, shard: sh, counts: counts, events: recorder}
	err = ctrl.NewControllerManagedBy(mgr).Named("eventsource").For(&v1alpha1.EventSource{}, specChanges).
		WatchesRawSource(source.Channel(changed[v1alpha1.KindEventSource], &handler.EnqueueRequestForObject{})).
		WithOptions(opts).Complete(&eventSourceReconciler{objects})
	if err != nil {
		return fmt.Errorf("setting up the EventSource reconciler: %w", err)
	}
	err = ctrl.NewControllerManagedBy(mgr).Named("sensor").For(&v1alpha1.Sensor{}, specChanges).
		WatchesRawSource(source.Channel(changed[v1alpha1.KindSensor], &handler.EnqueueRequestForObject{})).
		WithOptions(opts).Complete(&sensorReconciler{objects})
	if err != nil {
		return fmt.Errorf("setting up the Sensor reconciler: %w", err)
	}
	err = ctrl.NewControllerManagedBy(mgr).Named("eventbus").For(&v1alpha1.EventBus{}, specChanges).
		WatchesRawSource(source.Channel(changed[v1alpha1.KindEventBus], &handler.EnqueueRequestForObject{})).
		WithOptions(opts).Complete(&eventBusReconciler{client: c, bus: busDesc, connected: cfg.Engine.EventBuses, shard: sh})
	if err != nil {
		return fmt.Errorf("setting up the EventBus reconciler: %w", err)
	}
	go func() {
		if !mgr.GetCache().WaitForCacheSync(ctx) {
			return
		}
		rt.SetReady(true)
		log.Info("herald controller running", "namespaces", cfg.Namespaces, "bus", busDesc)
		go runCounts(ctx, counts, rt, rt.Registry(), countsEvery, log, func(ref engine.Ref) { notify(ctx, changed[ref.Kind], ref) })
		for {
			select {
			case <-ctx.Done():
				return
			case <-resync:
				// The replicas changed: every object may have moved.
				if err := requeueAll(ctx, c, changed); err != nil {
					log.Error("looking at every object after the replicas changed failed", "error", err)
				}
			}
		}
	}()
	mgrErr := make(chan error, 1)
	go func() { mgrErr <- mgr.Start(ctx) }()
	select {
	case err = <-mgrErr:
	case err = <-rt.Err():
	}
	log.Info("shutting down")
	if err != nil {
		return fmt.Errorf("running the controller: %w", err)
	}
	return nil
}

// specChanges lets through creations, deletions and spec changes, not the
// controller's own status writes.
var specChanges = builder.WithPredicates(predicate.GenerationChangedPredicate{})

// requeueAll asks the reconcilers to look at every object in the cache.
func requeueAll(ctx context.Context, c client.Reader, changed map[string]chan event.GenericEvent) error {
	var (
		sources v1alpha1.EventSourceList
		sensors v1alpha1.SensorList
		buses   v1alpha1.EventBusList
	)
	for _, l := range []client.ObjectList{&sources, &sensors, &buses} {
		if err := c.List(ctx, l); err != nil {
			return fmt.Errorf("listing: %w", err)
		}
	}
	for _, o := range sources.Items {
		notify(ctx, changed[v1alpha1.KindEventSource], engine.Ref{Kind: v1alpha1.KindEventSource, Namespace: o.Namespace, Name: o.Name})
	}
	for _, o := range sensors.Items {
		notify(ctx, changed[v1alpha1.KindSensor], engine.Ref{Kind: v1alpha1.KindSensor, Namespace: o.Namespace, Name: o.Name})
	}
	for _, o := range buses.Items {
		notify(ctx, changed[v1alpha1.KindEventBus], engine.Ref{Kind: v1alpha1.KindEventBus, Namespace: o.Namespace, Name: o.Name})
	}
	return nil
}

// notify asks the reconciler of ref's kind to look at ref again.
func notify(ctx context.Context, ch chan<- event.GenericEvent, ref engine.Ref) {
	var obj client.Object
	switch ref.Kind {
	case v1alpha1.KindSensor:
		obj = &v1alpha1.Sensor{}
	case v1alpha1.KindEventBus:
		obj = &v1alpha1.EventBus{}
	default:
		obj = &v1alpha1.EventSource{}
	}
	obj.SetNamespace(ref.Namespace)
	obj.SetName(ref.Name)
	select {
	case ch <- event.GenericEvent{Object: obj}:
	default:
		// Full: send without holding up the runtime.
		go func() {
			select {
			case ch <- event.GenericEvent{Object: obj}:
			case <-ctx.Done():
			}
		}()
	}
}

// listEventBuses reads the EventBus objects the controller may use, before
// the bus is connected.
func listEventBuses(ctx context.Context, kube *rest.Config, scheme *runtime.Scheme, cfg Config) ([]v1alpha1.EventBus, error) {
	c, err := client.New(kube, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("creating the Kubernetes client: %w", err)
	}
	namespaces := cfg.Namespaces
	if len(namespaces) == 0 {
		namespaces = []string{""}
	}
	var out []v1alpha1.EventBus
	for _, ns := range namespaces {
		var list v1alpha1.EventBusList
		opts := []client.ListOption{client.InNamespace(ns)}
		if cfg.Selector != nil {
			opts = append(opts, client.MatchingLabelsSelector{Selector: cfg.Selector})
		}
		if err := c.List(ctx, &list, opts...); err != nil {
			return nil, fmt.Errorf("listing EventBuses: %w", err)
		}
		out = append(out, list.Items...)
	}
	return out, nil
}
