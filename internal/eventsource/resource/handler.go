package resource

import (
	"log/slog"
	"slices"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/cache"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// change is one unit of work for the workers: an event to emit (if it
// passes the filters) and the checkpoint update that follows it.
type change struct {
	// key is namespace/name: changes of one key are processed in order.
	key string
	typ v1alpha1.ResourceEventType
	// obj is the object after the change, or the deleted object.
	obj *unstructured.Unstructured
	// old is the object before an UPDATE seen live.
	old *unstructured.Unstructured
	// initial marks an ADD found in the informer's initial list, i.e. of an
	// object that existed when the source started (see config.passes).
	initial bool
	// prior is the checkpointed state of an UPDATE found on restart (the
	// resourceVersion moved): its body is the event's oldBody.
	prior *entry
	// replay marks an ADD emitted again on restart from its intent: it was
	// emitted once, so the filters that let it through are not applied
	// again.
	replay bool
}

// handler turns the shared informer's notifications into changes of the
// source's view (see config.inView) and queues them. On a restart it also
// reconciles the objects listed at start with the checkpoint.
type handler struct {
	cfg *config
	q   *keyedQueue
	log *slog.Logger

	mu sync.Mutex
	// pending holds what the checkpoint knows of the objects not yet
	// matched with a listed object; nil when there is nothing to reconcile.
	pending map[string]known
	// resumed is set when the source started from a checkpoint: its initial
	// list then is not a list of what existed when it first started.
	resumed bool
}

var _ cache.ResourceEventHandler = (*handler)(nil)

func objectKey(u *unstructured.Unstructured) string {
	return u.GetNamespace() + "/" + u.GetName()
}

// take removes what the checkpoint knows of key, when it is still to
// reconcile; it emits again an ADD the checkpoint may not cover (see
// replay) and returns the state last reported, or nil.
func (h *handler) take(key string) *entry {
	h.mu.Lock()
	kn, ok := h.pending[key]
	if ok {
		delete(h.pending, key)
	}
	h.mu.Unlock()
	if !ok {
		return nil
	}
	return h.replay(key, kn)
}

// replay queues again the ADD of kn.add, which may have been emitted after
// the checkpoint was saved, preceded by the DELETE of the checkpointed
// state it replaced, and returns the state last reported.
func (h *handler) replay(key string, kn known) *entry {
	if kn.add == nil {
		return kn.entry
	}
	if kn.entry != nil && !kn.entry.equal(*kn.add) {
		h.pushDeleted(key, kn.entry)
	}
	u, err := kn.add.object()
	if err != nil {
		h.log.Error("cannot report the addition of an object again", "key", key, "error", err)
		return kn.entry
	}
	h.q.push(change{key: key, typ: v1alpha1.ADD, obj: u, replay: true})
	return kn.add
}

// OnAdd queues an ADD for an object entering the view; on restart it queues
// what changed since the checkpoint instead.
func (h *handler) OnAdd(obj any, initial bool) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	key := objectKey(u)
	in := h.cfg.inView(u)
	if e := h.take(key); e != nil {
		h.resume(key, e, u, in)
		return
	}
	if in {
		h.q.push(change{key: key, typ: v1alpha1.ADD, obj: u, initial: initial && !h.resumed})
	}
}

// resume queues the difference between the checkpointed state e of key and
// the object u now in the cluster.
func (h *handler) resume(key string, e *entry, u *unstructured.Unstructured, in bool) {
	sameObject := string(u.GetUID()) == e.UID
	if !in || !sameObject {
		h.pushDeleted(key, e)
	}
	switch {
	case !in:
	case !sameObject:
		h.q.push(change{key: key, typ: v1alpha1.ADD, obj: u})
	case u.GetResourceVersion() != e.RV:
		h.q.push(change{key: key, typ: v1alpha1.UPDATE, obj: u, prior: e})
	}
}

// pushDeleted queues the DELETE of a checkpointed object that is gone.
func (h *handler) pushDeleted(key string, e *entry) {
	u, err := e.object()
	if err != nil {
		h.log.Error("cannot report the deletion of an object", "key", key, "error", err)
		return
	}
	h.q.push(change{key: key, typ: v1alpha1.DELETE, obj: u})
}

// OnUpdate queues an UPDATE within the view, an ADD or a DELETE for objects
// entering or leaving it, and a DELETE and an ADD when the informer relisted
// and found another object of the same name.
func (h *handler) OnUpdate(oldObj, newObj any) {
	uo, ok1 := oldObj.(*unstructured.Unstructured)
	un, ok2 := newObj.(*unstructured.Unstructured)
	if !ok1 || !ok2 || uo.GetResourceVersion() == un.GetResourceVersion() {
		return
	}
	key := objectKey(un)
	inOld, inNew := h.cfg.inView(uo), h.cfg.inView(un)
	if e := h.take(key); e != nil {
		h.resume(key, e, un, inNew)
		return
	}
	switch {
	case uo.GetUID() != un.GetUID():
		if inOld {
			h.q.push(change{key: key, typ: v1alpha1.DELETE, obj: uo})
		}
		if inNew {
			h.q.push(change{key: key, typ: v1alpha1.ADD, obj: un})
		}
	case inOld && inNew:
		h.q.push(change{key: key, typ: v1alpha1.UPDATE, obj: un, old: uo})
	case inOld:
		h.q.push(change{key: key, typ: v1alpha1.DELETE, obj: uo})
	case inNew:
		h.q.push(change{key: key, typ: v1alpha1.ADD, obj: un})
	}
}

// OnDelete queues a DELETE for an object of the view, including one whose
// deletion the informer only learnt about by relisting (a tombstone).
func (h *handler) OnDelete(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	key := objectKey(u)
	if e := h.take(key); e != nil && e.UID != string(u.GetUID()) {
		h.pushDeleted(key, e)
	}
	if h.cfg.inView(u) {
		h.q.push(change{key: key, typ: v1alpha1.DELETE, obj: u})
	}
}

// finishResume queues a DELETE for every checkpointed object the initial
// list did not contain: it was deleted while the source was down. It must
// run once the handler has seen the whole initial list.
func (h *handler) finishResume() {
	h.mu.Lock()
	defer h.mu.Unlock()
	keys := make([]string, 0, len(h.pending))
	for k := range h.pending {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if e := h.replay(k, h.pending[k]); e != nil {
			h.pushDeleted(k, e)
		}
	}
	h.pending = nil
}
