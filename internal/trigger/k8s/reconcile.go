package k8s

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

// Pacing of repairs: a failed repair of an object is retried after
// repairBaseDelay, doubling up to repairMaxDelay.
const (
	repairBaseDelay = 100 * time.Millisecond
	repairMaxDelay  = 30 * time.Second
	repairWorkers   = 2
	loadTimeout     = 30 * time.Second
)

// reconciler keeps the objects that k8s triggers with reconcile: true wrote
// in the state their last write left them in. One reconciler serves every
// trigger of the kind, so every Sensor of the process: each resource and
// namespace is watched once per identity, by an informer started when the
// first object there is kept and stopped when the last one is released.
//
// Lock order: an entry's mu before the reconciler's mu.
type reconciler struct {
	mu      sync.Mutex
	entries map[objKey]*entry
	watches map[watchKey]*watch
	runs    map[runKey]*run
}

func newReconciler() *reconciler {
	return &reconciler{entries: map[objKey]*entry{}, watches: map[watchKey]*watch{}, runs: map[runKey]*run{}}
}

// runKey names one trigger of one run of a Sensor.
type runKey struct {
	done <-chan struct{}
	name string // sensor namespace/name/trigger
}

// run is one trigger of one run of a Sensor, as reconcile sees it.
type run struct {
	key      runKey
	trigger  string
	log      *slog.Logger
	metrics  trigger.BackgroundMetrics
	store    *recordStore // nil: records are kept in memory only
	clients  clientSet
	identity string
	entries  map[objKey]*entry // guarded by reconciler.mu
}

func (r *run) count(outcome string) {
	if r.metrics != nil {
		r.metrics.Reconciled(r.trigger, outcome)
	}
}

// entry is one kept object.
type entry struct {
	key    objKey
	run    *run
	watch  *watch
	client dynamic.ResourceInterface

	// mu is held while the object is written, by its trigger or by a
	// repair, so the two never race.
	mu  sync.Mutex
	rec *record
	// released is set once the object is no longer kept.
	released atomic.Bool
}

// watchKey names one informer: who watches which resource where.
type watchKey struct {
	identity  string
	gvr       schema.GroupVersionResource
	namespace string
}

// watch is one informer and the queue of objects it found changed.
type watch struct {
	key      watchKey
	refs     int // entries using it, guarded by reconciler.mu
	cancel   context.CancelFunc
	informer cache.SharedIndexInformer
	queue    workqueue.TypedRateLimitingInterface[objKey]
}

// attach returns the run of trigger triggerName of sensor in env's Sensor
// run, creating it on first use: it then loads the records stored by an
// earlier process and releases its objects when the Sensor's run ends.
func (rc *reconciler) attach(env trigger.Env, cs clientSet, identity string, sensor *v1alpha1.Sensor, triggerName string) *run {
	var done <-chan struct{}
	var bg trigger.Background
	if env.Background != nil {
		bg = *env.Background
		done = bg.Done
	}
	key := runKey{done: done, name: sensor.Namespace + "/" + sensor.Name + "/" + triggerName}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if r, ok := rc.runs[key]; ok {
		return r
	}
	log := env.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &run{
		key: key, trigger: triggerName, log: log, metrics: bg.Metrics,
		clients: cs, identity: identity, entries: map[objKey]*entry{},
	}
	if bg.Store != nil {
		r.store = newRecordStore(bg.Store, sensor.Namespace, sensor.Name, triggerName)
	}
	rc.runs[key] = r
	go rc.serve(r, done)
	return r
}

// serve loads r's stored records, then waits for the end of its Sensor's
// run and releases its objects (their records stay stored, for the next
// run).
func (rc *reconciler) serve(r *run, done <-chan struct{}) {
	if r.store != nil {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		recs, err := r.store.load(ctx)
		cancel()
		if err != nil {
			r.log.Error("loading the objects to reconcile failed", "error", err)
		}
		for key, rec := range recs {
			if err := rc.adopt(r, key, rec); err != nil {
				r.log.Error("resuming reconcile of an object failed", "object", key.String(), "error", err)
			}
		}
	}
	if done == nil {
		return
	}
	<-done
	rc.mu.Lock()
	delete(rc.runs, r.key)
	entries := make([]*entry, 0, len(r.entries))
	for _, e := range r.entries {
		entries = append(entries, e)
	}
	rc.mu.Unlock()
	for _, e := range entries {
		e.mu.Lock()
		rc.drop(e)
		e.mu.Unlock()
	}
}

// adopt keeps a stored record unless the object is kept already (a firing
// of this run came first).
func (rc *reconciler) adopt(r *run, key objKey, rec *record) error {
	rc.mu.Lock()
	_, kept := rc.entries[key]
	rc.mu.Unlock()
	if kept {
		return nil
	}
	dyn, err := r.clients.dynamic(rec.Identity)
	if err != nil {
		return err
	}
	gvr := schema.GroupVersionResource{Group: rec.Group, Version: rec.Version, Resource: rec.Resource}
	e := &entry{key: key, run: r, client: dyn.Resource(gvr).Namespace(key.Namespace), rec: rec}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if _, kept := rc.entries[key]; kept {
		return nil
	}
	rc.add(e, dyn, rec.Identity)
	return nil
}

// hold locks the entry of key, if the object is kept, so that no repair
// runs while the caller writes it. The returned entry (nil when the object
// is not kept) must be given to unhold.
func (rc *reconciler) hold(key objKey) *entry {
	rc.mu.Lock()
	e := rc.entries[key]
	rc.mu.Unlock()
	if e == nil {
		return nil
	}
	e.mu.Lock()
	return e
}

func (rc *reconciler) unhold(e *entry) {
	if e != nil {
		e.mu.Unlock()
	}
}

// keep records what a write of r left on the server and keeps the object
// from now on. held is what hold returned for the object.
func (rc *reconciler) keep(ctx context.Context, r *run, held *entry, tg *target, op v1alpha1.KubernetesResourceOperation) {
	if tg.written == nil || tg.written.GetName() == "" {
		return
	}
	key := keyOf(tg.mapping.Resource, tg.written)
	rec := newRecord(tg.obj, tg.written)
	rec.Trigger, rec.Identity = r.trigger, tg.identity
	rec.Group, rec.Version, rec.Resource = key.Group, key.Version, key.Resource
	rec.Apply = op == v1alpha1.K8sOperationApply
	if held != nil && !held.released.Load() && held.run == r && held.watch.key.identity == tg.identity {
		held.rec = rec
	} else {
		if held != nil && !held.released.Load() {
			rc.release(ctx, held)
		}
		dyn, err := r.clients.dynamic(tg.identity)
		if err != nil {
			r.log.Error("keeping the object for reconcile failed", "object", tg.ref(), "error", err)
			return
		}
		e := &entry{key: key, run: r, client: tg.client, rec: rec}
		rc.mu.Lock()
		if old := rc.entries[key]; old != nil && old != held {
			// Another trigger kept it meanwhile: the later write wins.
			rc.removeLocked(old)
		}
		rc.add(e, dyn, tg.identity)
		rc.mu.Unlock()
	}
	if r.store != nil {
		if err := r.store.save(ctx, key, rec); err != nil {
			r.log.Warn("storing the object to reconcile failed; it is kept in memory only", "object", tg.ref(), "error", err)
		}
	}
}

// forget stops keeping the object of held (its trigger deletes it) and
// removes its stored record.
func (rc *reconciler) forget(ctx context.Context, held *entry) {
	if held == nil || held.released.Load() {
		return
	}
	rc.release(ctx, held)
	held.run.count("released")
}

// release stops keeping e and removes its stored record; e.mu is held.
func (rc *reconciler) release(ctx context.Context, e *entry) {
	rc.drop(e)
	if e.run.store != nil {
		if err := e.run.store.remove(ctx, e.key); err != nil {
			e.run.log.Warn("removing the stored object to reconcile failed", "object", e.key.String(), "error", err)
		}
	}
}

// drop stops keeping e in memory; e.mu is held.
func (rc *reconciler) drop(e *entry) {
	if e.released.Load() {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.removeLocked(e)
}

// add registers e and starts the watch of its resource and namespace as
// identity if needed; rc.mu is held.
func (rc *reconciler) add(e *entry, dyn dynamic.Interface, identity string) {
	wk := watchKey{identity: identity, gvr: schema.GroupVersionResource{Group: e.key.Group, Version: e.key.Version, Resource: e.key.Resource}, namespace: e.key.Namespace}
	w := rc.watches[wk]
	if w == nil {
		w = rc.startWatch(wk, dyn)
		rc.watches[wk] = w
	}
	w.refs++
	e.watch = w
	rc.entries[e.key] = e
	e.run.entries[e.key] = e
}

// removeLocked unregisters e and stops its watch when no entry uses it any
// more; rc.mu is held.
func (rc *reconciler) removeLocked(e *entry) {
	e.released.Store(true)
	if rc.entries[e.key] == e {
		delete(rc.entries, e.key)
	}
	if e.run.entries[e.key] == e {
		delete(e.run.entries, e.key)
	}
	w := e.watch
	if w == nil {
		return
	}
	if w.refs--; w.refs == 0 {
		w.cancel()
		w.queue.ShutDown()
		delete(rc.watches, w.key)
	}
}

// startWatch starts the informer and workers of wk.
func (rc *reconciler) startWatch(wk watchKey, dyn dynamic.Interface) *watch {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watch{
		key:      wk,
		cancel:   cancel,
		informer: dynamicinformer.NewFilteredDynamicInformer(dyn, wk.gvr, wk.namespace, 0, cache.Indexers{}, nil).Informer(),
		queue: workqueue.NewTypedRateLimitingQueue(
			workqueue.NewTypedItemExponentialFailureRateLimiter[objKey](repairBaseDelay, repairMaxDelay)),
	}
	_ = w.informer.SetTransform(stripManagedFields)
	enqueue := func(obj any) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return
		}
		key := keyOf(wk.gvr, u)
		rc.mu.Lock()
		e := rc.entries[key]
		rc.mu.Unlock()
		if e != nil && e.watch == w {
			w.queue.Add(key)
		}
	}
	_, _ = w.informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
		DeleteFunc: enqueue,
	})
	go w.informer.RunWithContext(ctx)
	go func() {
		// Objects deleted while nobody watched send no event: look at
		// every kept object once the informer has listed.
		if !cache.WaitForCacheSync(ctx.Done(), w.informer.HasSynced) {
			return
		}
		rc.mu.Lock()
		for key, e := range rc.entries {
			if e.watch == w {
				w.queue.Add(key)
			}
		}
		rc.mu.Unlock()
	}()
	for range repairWorkers {
		go rc.work(ctx, w)
	}
	return w
}

// work repairs the objects w's queue hands out until the queue shuts down.
func (rc *reconciler) work(ctx context.Context, w *watch) {
	for {
		key, shutdown := w.queue.Get()
		if shutdown {
			return
		}
		if err := rc.check(ctx, w, key); err != nil {
			w.queue.AddRateLimited(key)
		} else {
			w.queue.Forget(key)
		}
		w.queue.Done(key)
	}
}

// keyOf names obj of resource gvr.
func keyOf(gvr schema.GroupVersionResource, obj *unstructured.Unstructured) objKey {
	return objKey{Group: gvr.Group, Version: gvr.Version, Resource: gvr.Resource, Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// stripManagedFields drops what reconcile never reads from the informer's
// cache.
func stripManagedFields(obj any) (any, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		u.SetManagedFields(nil)
	}
	return obj, nil
}
