package controller

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/engine"
)

// objectReconciler is what the EventSource and Sensor reconcilers share.
type objectReconciler struct {
	client  client.Client
	rt      *engine.Runtime
	support validation.Support
	shard   shard
	counts  *countBoard
	events  events.EventRecorder
}

// fetch reads the object ref names into obj. It reports false, having
// stopped the runtime's copy, when the object is gone, being deleted, or
// not this replica's to run (runsHere): another replica runs it and
// reports on it.
func (r *objectReconciler) fetch(ctx context.Context, ref engine.Ref, obj client.Object, runsHere func() bool) (bool, error) {
	key := types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}
	if err := r.client.Get(ctx, key, obj); err != nil {
		if apierrors.IsNotFound(err) {
			r.rt.Remove(ref)
			return false, nil
		}
		return false, fmt.Errorf("reading %s %s: %w", ref.Kind, key, err)
	}
	if !obj.GetDeletionTimestamp().IsZero() || !runsHere() {
		r.rt.Remove(ref)
		return false, nil
	}
	return true, nil
}
