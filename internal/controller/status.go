package controller

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/engine"
	"github.com/herald-dev/herald/internal/manifest"
)

// ConditionRunning is Herald's own condition: True while the object runs in
// the controller, False with a reason when it is invalid or has failed.
const ConditionRunning v1alpha1.ConditionType = "Running"

// Reasons of the conditions the controller writes.
const (
	// ReasonInvalid: the object failed the checks of "herald lint"; it does not run.
	ReasonInvalid = "Invalid"
	// ReasonUnsupported: the object uses something this Herald build does
	// not run; it does not run.
	ReasonUnsupported = "Unsupported"
	// ReasonInProcess: the object runs inside the controller process (Argo
	// would have deployed a pod).
	ReasonInProcess = "InProcess"
	// ReasonRunning: the object runs.
	ReasonRunning = "Running"
	// ReasonFailed: the object stopped with an error (a Sensor is started
	// again after a backoff).
	ReasonFailed = "Failed"
)

// lintMessage renders validation errors as "herald lint" does, without the
// file and line: "spec.triggers[0].template.log: ...", joined by "; ".
func lintMessage(errs field.ErrorList) string {
	diags := (*manifest.Positions)(nil).Diagnostics("", errs, manifest.Error)
	msgs := make([]string, 0, len(diags))
	for _, d := range diags {
		msgs = append(msgs, d.String())
	}
	return strings.Join(msgs, "; ")
}

// invalidReason is Unsupported when every error is about something this
// build does not run, else Invalid.
func invalidReason(errs field.ErrorList) string {
	for _, e := range errs {
		if !validation.IsUnsupported(e) {
			return ReasonInvalid
		}
	}
	return ReasonUnsupported
}

// underPath keeps the errors whose field starts with prefix.
func underPath(errs field.ErrorList, prefix string) field.ErrorList {
	var out field.ErrorList
	for _, e := range errs {
		if e.Field == prefix || strings.HasPrefix(e.Field, prefix+".") || strings.HasPrefix(e.Field, prefix+"[") {
			out = append(out, e)
		}
	}
	return out
}

// markInvalid sets Deployed and Running to False for an object that does
// not run because of errs.
func markInvalid(s *v1alpha1.Status, deployed v1alpha1.ConditionType, errs field.ErrorList) {
	reason, msg := invalidReason(errs), lintMessage(errs)
	s.MarkFalse(deployed, reason, "not run: the spec has errors")
	s.MarkFalse(ConditionRunning, reason, msg)
}

// markRunning sets Deployed to True (saying where the object runs) and
// Running from the runtime's state.
func markRunning(s *v1alpha1.Status, deployed v1alpha1.ConditionType, where string, st engine.State, ok bool) {
	s.MarkTrueWithReason(deployed, ReasonInProcess, where)
	switch {
	case !ok:
		s.MarkUnknown(ConditionRunning, "Starting", "")
	case st.Running:
		s.MarkTrueWithReason(ConditionRunning, ReasonRunning, "")
	default:
		msg := ""
		if st.Err != nil {
			msg = st.Err.Error()
		}
		s.MarkFalse(ConditionRunning, ReasonFailed, msg)
	}
}

// conflictRetry is how soon a status write that lost a race is tried again.
const conflictRetry = 50 * time.Millisecond

// writeStatus writes obj's status through the status subresource. A write
// that lost a race with another change is tried again on a fresh copy; an
// object deleted meanwhile needs no status.
func writeStatus(ctx context.Context, c client.Client, obj client.Object, kind string) (ctrl.Result, error) {
	err := c.Status().Update(ctx, obj)
	switch {
	case err == nil, apierrors.IsNotFound(err):
		return ctrl.Result{}, nil
	case apierrors.IsConflict(err):
		return ctrl.Result{RequeueAfter: conflictRetry}, nil
	default:
		return ctrl.Result{}, fmt.Errorf("writing the status of %s %s/%s: %w",
			kind, obj.GetNamespace(), obj.GetName(), err)
	}
}
