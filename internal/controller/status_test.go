package controller

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/engine"
)

func TestLintMessage(t *testing.T) {
	deps := field.NewPath("spec", "dependencies")
	triggers := field.NewPath("spec", "triggers")
	errs := field.ErrorList{
		field.Required(deps.Index(0).Child("eventName"), "a dependency needs an event name"),
		field.NotSupported(triggers.Index(0).Child("template", "k8s", "operation"), "drop", []string{"create", "update"}),
		field.Invalid(field.NewPath("metadata", "name"), "A", ""),
	}
	unsupported := field.ErrorList{field.Invalid(triggers.Index(0), "x", validation.UnsupportedPrefix+"kafka triggers")}
	for _, tc := range []struct {
		name   string
		errs   field.ErrorList
		want   string
		reason string
	}{
		{
			"all", errs,
			`spec.dependencies[0].eventName: a dependency needs an event name; ` +
				`spec.triggers[0].template.k8s.operation: Unsupported value: "drop": supported values: "create", "update"; ` +
				`metadata.name: Invalid value: "A"`,
			ReasonInvalid,
		},
		{"dependencies", underPath(errs, "spec.dependencies"), "spec.dependencies[0].eventName: a dependency needs an event name", ReasonInvalid},
		{"none under a prefix that only starts the same", underPath(errs, "spec.dep"), "", ReasonUnsupported},
		{
			"unsupported", unsupported,
			"spec.triggers[0]: " + validation.UnsupportedPrefix + "kafka triggers",
			ReasonUnsupported,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, lintMessage(tc.errs))
			require.Equal(t, tc.reason, invalidReason(tc.errs))
		})
	}
}

func TestMarkRunning(t *testing.T) {
	for _, tc := range []struct {
		name   string
		state  engine.State
		ok     bool
		status corev1.ConditionStatus
		reason string
		msg    string
	}{
		{"not yet known", engine.State{}, false, corev1.ConditionUnknown, "Starting", ""},
		{"running", engine.State{Running: true}, true, corev1.ConditionTrue, ReasonRunning, ""},
		{"failed", engine.State{Err: errors.New("boom")}, true, corev1.ConditionFalse, ReasonFailed, "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s v1alpha1.Status
			markRunning(&s, v1alpha1.SensorConditionDeployed, "runs in the herald controller", tc.state, tc.ok)
			require.True(t, s.GetCondition(v1alpha1.SensorConditionDeployed).IsTrue())
			c := s.GetCondition(ConditionRunning)
			require.Equal(t, tc.status, c.Status)
			require.Equal(t, tc.reason, c.Reason)
			require.Equal(t, tc.msg, c.Message)
		})
	}
}
