package controller_test

import (
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/controller"
	"github.com/herald-dev/herald/internal/testenv"
)

// TestControllerExoticEventBus: an EventBus with jetstreamExotic, present
// when the controller starts, is the bus every object uses; one that names
// another server later is reported as needing a restart.
func TestControllerExoticEventBus(t *testing.T) {
	nats, err := testenv.StartNATS()
	require.NoError(t, err)
	t.Cleanup(nats.Stop)
	c := newClient(t)
	ctx := t.Context()
	createNamespaces(t, c, "bus-a")
	require.NoError(t, c.Create(ctx, &v1alpha1.EventBus{
		ObjectMeta: metav1.ObjectMeta{Namespace: "bus-a", Name: "default"},
		Spec:       v1alpha1.EventBusSpec{JetStreamExotic: &v1alpha1.JetStreamConfig{URL: nats.URL}},
	}))
	logs := startController(t, controller.Config{Namespaces: []string{"bus-a"}})

	status := waitConditions(t, c, &v1alpha1.EventBus{}, "bus-a", "default", map[v1alpha1.ConditionType]corev1.ConditionStatus{
		v1alpha1.EventBusConditionConfigured: corev1.ConditionTrue,
		v1alpha1.EventBusConditionDeployed:   corev1.ConditionTrue,
	})
	assert.Contains(t, status.GetCondition(v1alpha1.EventBusConditionDeployed).Message, nats.URL)

	port := freePort(t)
	require.NoError(t, c.Create(ctx, webhookEventSource("bus-a", "hooks", port)))
	require.NoError(t, c.Create(ctx, logSensor("bus-a", "printer", "hooks", "external")))
	postUntilFired(t, logs, port, "external")
	info, err := nats.Server.Jsz(&server.JSzOptions{})
	require.NoError(t, err)
	assert.Positive(t, info.Messages, "the events went through the external server")

	require.NoError(t, c.Create(ctx, &v1alpha1.EventBus{
		ObjectMeta: metav1.ObjectMeta{Namespace: "bus-a", Name: "other"},
		Spec:       v1alpha1.EventBusSpec{JetStreamExotic: &v1alpha1.JetStreamConfig{URL: "nats://127.0.0.1:1"}},
	}))
	status = waitConditions(t, c, &v1alpha1.EventBus{}, "bus-a", "other", map[v1alpha1.ConditionType]corev1.ConditionStatus{
		v1alpha1.EventBusConditionDeployed: corev1.ConditionFalse,
	})
	assert.Equal(t, "RestartNeeded", status.GetCondition(v1alpha1.EventBusConditionDeployed).Reason)
}
