package controller

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/engine"
)

// sensorReconciler runs each valid Sensor in the runtime and writes its
// status.
type sensorReconciler struct{ objectReconciler }

func (r *sensorReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	ref := engine.Ref{Kind: v1alpha1.KindSensor, Namespace: req.Namespace, Name: req.Name}
	var sn v1alpha1.Sensor
	found, err := r.fetch(ctx, ref, &sn, func() bool { return r.shard.owns(ref.Kind, ref.Namespace, ref.Name) })
	if !found {
		return ctrl.Result{}, err
	}
	before := sn.Status.DeepCopy()
	st := &sn.Status.Status
	res := validation.ValidateSensor(&sn, r.support)
	markProvided(st, v1alpha1.SensorConditionDepencencyProvided, underPath(res.Errors, "spec.dependencies"))
	markProvided(st, v1alpha1.SensorConditionTriggersProvided, underPath(res.Errors, "spec.triggers"))
	if !res.OK() {
		r.rt.Remove(ref)
		markInvalid(st, v1alpha1.SensorConditionDeployed, res.Errors)
	} else {
		if _, err := r.rt.ApplySensor(&sn); err != nil {
			return ctrl.Result{}, fmt.Errorf("running Sensor %s: %w", req.NamespacedName, err)
		}
		state, ok := r.rt.State(ref)
		markRunning(st, v1alpha1.SensorConditionDeployed, r.shard.where(nil), state, ok)
		if c := r.counts.sensor(ref); c != nil {
			sn.Status.Counts = c
		}
	}
	if equality.Semantic.DeepEqual(before, &sn.Status) {
		return ctrl.Result{}, nil
	}
	recordRunning(r.events, &sn, &before.Status, st)
	return writeStatus(ctx, r.client, &sn, v1alpha1.KindSensor)
}

// markProvided sets condition t True without errs, else False with them.
func markProvided(st *v1alpha1.Status, t v1alpha1.ConditionType, errs []*field.Error) {
	if len(errs) == 0 {
		st.MarkTrue(t)
		return
	}
	st.MarkFalse(t, invalidReason(errs), lintMessage(errs))
}
