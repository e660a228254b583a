package controller

import (
	"context"

	"k8s.io/apimachinery/pkg/api/equality"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/engine"
)

// eventSourceReconciler runs each valid EventSource in the runtime and
// writes its status.
type eventSourceReconciler struct{ objectReconciler }

func (r *eventSourceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	ref := engine.Ref{Kind: v1alpha1.KindEventSource, Namespace: req.Namespace, Name: req.Name}
	var es v1alpha1.EventSource
	found, err := r.fetch(ctx, ref, &es, func() bool { return r.shard.runs(&es) })
	if !found {
		return ctrl.Result{}, err
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
