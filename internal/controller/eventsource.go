package controller

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/engine"
)

// eventSourceReconciler runs each valid EventSource in the runtime and
// writes its status.
type eventSourceReconciler struct {
	client  client.Client
	rt      *engine.Runtime
	support validation.Support
	shard   shard
	counts  *countBoard
	events  events.EventRecorder
}

func (r *eventSourceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	ref := engine.Ref{Kind: v1alpha1.KindEventSource, Namespace: req.Namespace, Name: req.Name}
	var es v1alpha1.EventSource
	if err := r.client.Get(ctx, req.NamespacedName, &es); err != nil {
		if apierrors.IsNotFound(err) {
			r.rt.Remove(ref)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, fmt.Errorf("reading EventSource %s: %w", req.NamespacedName, err)
	}
	if !es.DeletionTimestamp.IsZero() || !r.shard.runs(&es) {
		r.rt.Remove(ref) // another replica runs it, and reports on it
		return ctrl.Result{}, nil
	}
	before := es.Status.DeepCopy()
	st := &es.Status.Status
	res := validation.ValidateEventSource(&es, r.support)
	if !res.OK() {
		r.rt.Remove(ref)
		st.MarkFalse(v1alpha1.EventSourceConditionSourcesProvided, invalidReason(res.Errors), lintMessage(res.Errors))
		markInvalid(st, v1alpha1.EventSourceConditionDeployed, res.Errors)
	} else {
		st.MarkTrue(v1alpha1.EventSourceConditionSourcesProvided)
		r.rt.ApplyEventSource(&es)
		state, ok := r.rt.State(ref)
		markRunning(st, v1alpha1.EventSourceConditionDeployed, r.shard.where(&es), state, ok)
		if c := r.counts.eventSource(ref); c != nil {
			es.Status.Counts = c
		}
	}
	if equality.Semantic.DeepEqual(before, &es.Status) || !r.shard.owns(ref.Kind, ref.Namespace, ref.Name) {
		return ctrl.Result{}, nil // a listener runs everywhere; one replica reports
	}
	recordRunning(r.events, &es, &before.Status, st)
	return writeStatus(ctx, r.client, &es, v1alpha1.KindEventSource)
}
