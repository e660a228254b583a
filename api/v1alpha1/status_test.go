package v1alpha1_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestStatusConditions(t *testing.T) {
	var s v1alpha1.SensorStatus
	require.False(t, s.IsReady(), "no conditions is not ready")

	s.InitConditions()
	require.Len(t, s.Conditions, 3)
	for _, c := range s.Conditions {
		require.Equal(t, corev1.ConditionUnknown, c.Status)
	}
	// Sorted by type.
	require.Equal(t, v1alpha1.SensorConditionDepencencyProvided, s.Conditions[0].Type)
	require.Equal(t, v1alpha1.SensorConditionDeployed, s.Conditions[1].Type)
	require.Equal(t, v1alpha1.SensorConditionTriggersProvided, s.Conditions[2].Type)

	s.MarkDependenciesProvided()
	s.MarkTriggersProvided()
	s.MarkDeployFailed("NoImage", "image not found")
	require.False(t, s.IsReady())
	failed := s.GetCondition(v1alpha1.SensorConditionDeployed)
	require.True(t, failed.IsFalse())
	require.Equal(t, "NoImage", failed.GetReason())
	require.Equal(t, "image not found", failed.GetMessage())

	// Setting the same condition again keeps its transition time.
	before := failed.LastTransitionTime
	s.MarkDeployFailed("NoImage", "image not found")
	require.Equal(t, before, s.GetCondition(v1alpha1.SensorConditionDeployed).LastTransitionTime)

	s.MarkDeployed()
	require.True(t, s.IsReady())
	require.Len(t, s.Conditions, 3)

	var missing *v1alpha1.Condition
	require.True(t, missing.IsUnknown())
	require.False(t, missing.IsTrue())
	require.Empty(t, missing.GetReason())
	require.Nil(t, s.GetCondition("Other"))
}

func TestEventBusStatusConditions(t *testing.T) {
	var s v1alpha1.EventBusStatus
	s.InitConditions()
	s.MarkDeploying("Creating", "creating the StatefulSet")
	require.True(t, s.GetCondition(v1alpha1.EventBusConditionDeployed).IsUnknown())
	s.MarkDeployed("Ready", "")
	s.MarkConfigured()
	require.True(t, s.IsReady())
	s.MarkNotConfigured("NoURL", "no URL yet")
	require.False(t, s.IsReady())
}

func TestDefaults(t *testing.T) {
	three, zero := int32(3), int32(0)
	require.Equal(t, int32(1), v1alpha1.SensorSpec{}.GetReplicas())
	require.Equal(t, int32(1), v1alpha1.SensorSpec{Replicas: &zero}.GetReplicas())
	require.Equal(t, int32(3), v1alpha1.SensorSpec{Replicas: &three}.GetReplicas())

	require.Equal(t, 3, v1alpha1.JetStreamBus{}.GetReplicas())
	require.Equal(t, 3, v1alpha1.JetStreamBus{Replicas: &three}.GetReplicas())

	every := uint64(5)
	require.Zero(t, (&v1alpha1.LogTrigger{}).GetInterval())
	require.Equal(t, "5s", (&v1alpha1.LogTrigger{IntervalSeconds: &every}).GetInterval().String())

	require.Equal(t, "PLAIN", v1alpha1.SASLConfig{}.GetMechanism())
	require.Equal(t, "SCRAM-SHA-512", v1alpha1.SASLConfig{Mechanism: "SCRAM-SHA-512"}.GetMechanism())
	require.Equal(t, []int{200, 201}, (&v1alpha1.StatusPolicy{Allow: []int32{200, 201}}).GetAllow())
}
