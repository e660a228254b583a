package controller

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// Kubernetes Event types and the action the controller's Events name.
const (
	eventNormal  = "Normal"
	eventWarning = "Warning"
	actionRun    = "Run"
)

// recordRunning records a Kubernetes Event on obj when its Running
// condition changed between before and after: Normal when it started,
// Warning with the reason and message when it became invalid or failed.
// A nil recorder records nothing.
func recordRunning(rec events.EventRecorder, obj runtime.Object, before, after *v1alpha1.Status) {
	if rec == nil {
		return
	}
	now := after.GetCondition(ConditionRunning)
	if now == nil {
		return
	}
	if was := before.GetCondition(ConditionRunning); was != nil &&
		was.Status == now.Status && was.Reason == now.Reason && was.Message == now.Message {
		return
	}
	switch {
	case now.IsTrue():
		rec.Eventf(obj, nil, eventNormal, now.Reason, actionRun, "%s", orDefault(now.Message, "started"))
	case now.IsFalse():
		rec.Eventf(obj, nil, eventWarning, now.Reason, actionRun, "%s", orDefault(now.Message, "not running"))
	}
}

// maxNote is the longest note an events.k8s.io Event takes.
const maxNote = 1024

// orDefault is s, or def when s is empty, cut to what an Event's note takes.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	if len(s) > maxNote {
		return s[:maxNote-3] + "..."
	}
	return s
}
