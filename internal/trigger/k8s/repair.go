package k8s

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stypes "k8s.io/apimachinery/pkg/types"
)

// check looks at the kept object key after its informer saw it change and
// repairs it when it drifted: a deleted object is written again, an edited
// one gets its trigger's content, labels, annotations and owner back. An
// object whose owner is gone is released instead (the garbage collector
// removed it, or will). A returned error retries the check later.
func (rc *reconciler) check(ctx context.Context, w *watch, key objKey) error {
	if !w.informer.HasSynced() {
		return nil // every kept object is checked once the informer has listed
	}
	rc.mu.Lock()
	e := rc.entries[key]
	rc.mu.Unlock()
	if e == nil || e.watch != w {
		return nil
	}
	cached, exists, err := w.informer.GetStore().GetByKey(cacheKey(key))
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.released.Load() {
		return nil
	}
	if err == nil && exists {
		if u, ok := cached.(*unstructured.Unstructured); ok && (u.GetDeletionTimestamp() != nil || !e.rec.drifted(u)) {
			return nil
		}
	}
	// The cache may lag behind the trigger's own write: ask the server.
	live, err := e.client.Get(ctx, key.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		live = nil
	case err != nil:
		return rc.failed(e, "reading the kept object", err)
	case live.GetDeletionTimestamp() != nil || !e.rec.drifted(live):
		return nil
	}
	gone, err := rc.ownerGone(ctx, e)
	if err != nil {
		return rc.failed(e, "reading the owner of the kept object", err)
	}
	if gone {
		rc.release(ctx, e)
		e.run.count("released")
		e.run.log.Info("reconcile stopped: the owner is gone", "object", key.String())
		return nil
	}
	var written *unstructured.Unstructured
	outcome := "restored"
	if live == nil {
		outcome = "recreated"
		written, err = rc.recreate(ctx, e)
	} else {
		written, err = e.client.Update(ctx, e.rec.repaired(live), metav1.UpdateOptions{FieldManager: FieldManager})
	}
	if err != nil {
		return rc.failed(e, "writing back the kept object", err)
	}
	before := e.rec.Written
	e.rec.setWritten(written)
	if e.run.store != nil && !equalJSON(before, e.rec.Written) {
		if err := e.run.store.save(ctx, key, e.rec); err != nil {
			e.run.log.Warn("storing the object to reconcile failed; it is kept in memory only", "object", key.String(), "error", err)
		}
	}
	e.run.count(outcome)
	e.run.log.Info("drift repaired", "object", key.String(), "repair", outcome, "resource_version", written.GetResourceVersion())
	return nil
}

// recreate writes a deleted kept object again: server-side applied when
// the trigger applied it, created otherwise.
func (rc *reconciler) recreate(ctx context.Context, e *entry) (*unstructured.Unstructured, error) {
	obj := e.rec.desiredObject()
	if !e.rec.Apply {
		return e.client.Create(ctx, obj, metav1.CreateOptions{FieldManager: FieldManager})
	}
	body, err := obj.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", e.key, err)
	}
	force := true
	return e.client.Patch(ctx, obj.GetName(), k8stypes.ApplyPatchType, body, metav1.PatchOptions{FieldManager: FieldManager, Force: &force})
}

// ownerGone reports whether the kept object's controller owner (set by the
// owner option) no longer exists: not found, found with another uid (a
// new object of the same name) or being deleted.
func (rc *reconciler) ownerGone(ctx context.Context, e *entry) (bool, error) {
	ref := e.rec.ownerRef()
	if ref == nil {
		return false, nil
	}
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return false, fmt.Errorf("parsing the owner's apiVersion %q: %w", ref.APIVersion, err)
	}
	m, err := e.run.clients.mapper.RESTMapping(gv.Group, gv.Version, ref.Kind)
	if err != nil {
		return false, fmt.Errorf("finding the resource of the owner %s %s: %w", ref.APIVersion, ref.Kind, err)
	}
	dyn, err := e.run.clients.dynamic(e.rec.Identity)
	if err != nil {
		return false, fmt.Errorf("getting the client of %q: %w", e.rec.Identity, err)
	}
	ns := ""
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		ns = e.key.Namespace
	}
	owner, err := dyn.Resource(m.Resource).Namespace(ns).Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the owner %s %s: %w", ref.Kind, ref.Name, err)
	}
	return owner.GetUID() != ref.UID || owner.GetDeletionTimestamp() != nil, nil
}

// failed logs and counts a repair that will be retried, and returns err.
func (rc *reconciler) failed(e *entry, doing string, err error) error {
	err = fmt.Errorf("%s %s: %w", doing, e.key, err)
	e.run.count("failed")
	e.run.log.Warn("drift repair failed; retrying", "object", e.key.String(), "error", err)
	return err
}

// cacheKey is the informer store's key of the object key names.
func cacheKey(key objKey) string {
	if key.Namespace == "" {
		return key.Name
	}
	return key.Namespace + "/" + key.Name
}
