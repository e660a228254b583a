package http

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trigger"
)

func TestRender(t *testing.T) {
	spec := &v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{Name: "hook", HTTP: &v1alpha1.HTTPTrigger{
		URL:     "https://hooks.example/orders",
		Headers: map[string]string{"X-Team": "shop"},
		SecureHeaders: []*v1alpha1.SecureHeader{{Name: "Authorization", ValueFrom: &v1alpha1.ValueFromSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "hook"}, Key: "token"},
		}}},
		Payload: []v1alpha1.TriggerParameter{
			{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "id", UseRawData: true}, Dest: "order"},
		},
	}}}
	read := 0
	env := trigger.Env{Secrets: func(_ context.Context, _ string, _ *corev1.SecretKeySelector) ([]byte, error) {
		read++
		return []byte("s3cret"), nil
	}}
	tr, err := New(env, &v1alpha1.Sensor{}, spec)
	require.NoError(t, err)
	ev := &event.Event{ID: "e1", Source: "es", Subject: "ev", Type: "webhook", DataContentType: event.ContentTypeJSON, Data: []byte(`{"id":42}`)}
	req := &trigger.Request{Trigger: spec, Events: map[string]*event.Event{"dep": ev}, EventID: "e1"}
	got, err := tr.(trigger.Renderer).Render(t.Context(), req, trigger.RenderOptions{})
	require.NoError(t, err)
	require.Equal(t, "POST", got.Operation)
	require.Equal(t, "https://hooks.example/orders", got.Target)
	require.JSONEq(t, `{"order":42}`, string(got.Object))
	require.Equal(t, map[string]string{
		"Authorization": trigger.Masked, "X-Team": "shop",
		HeaderEventID: "e1", HeaderIdempotencyKey: "e1",
	}, got.Headers)
	require.Len(t, got.Parameters, 1)
	require.Equal(t, trigger.ParamValue{List: "http.payload", Dest: "order", Dependency: "dep", From: "dataKey", Value: "42", Type: "Number", Raw: true}, got.Parameters[0])
	require.Zero(t, read, "Render read a Secret")
}
