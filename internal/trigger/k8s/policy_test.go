package k8s

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trigger"
)

// TestPolicyK8sLabels: with policy.k8s, the firing waits for the written
// object to carry the labels; without them it fails terminally only when
// errorOnBackoffTimeout is set.
func TestPolicyK8sLabels(t *testing.T) {
	backoff := &v1alpha1.Backoff{Steps: 3, Duration: &v1alpha1.Int64OrString{Type: v1alpha1.Int64OrStringString, StrVal: "10ms"}}
	for _, tc := range []struct {
		name         string
		labels       map[string]string
		errOnTimeout bool
		wantErr      bool
		wantRef      string
	}{
		{"labels present", map[string]string{"events.argoproj.io/sensor": "sn"}, true, false, " created"},
		{"labels missing, error", map[string]string{"ready": "true"}, true, true, ""},
		{"labels missing, no error", map[string]string{"ready": "true"}, false, false, "labels not seen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := newNamespace(t)
			sensor := sensorIn(ns, "")
			spec := &v1alpha1.StandardK8STrigger{Source: resource(t, configMapYAML("policy"))}
			tr := build(t, sensor, spec)
			trig := k8sTriggerOf(spec)
			trig.Policy = &v1alpha1.TriggerPolicy{K8s: &v1alpha1.K8SResourcePolicy{Labels: tc.labels, Backoff: backoff, ErrorOnBackoffTimeout: tc.errOnTimeout}}
			ev := &event.Event{ID: "ev", Source: "es", Subject: "ev", Type: "webhook", DataContentType: event.ContentTypeJSON, Data: []byte(`{}`)}
			res, err := tr.Execute(context.Background(), &trigger.Request{Sensor: sensor, Trigger: trig, Events: map[string]*event.Event{"dep": ev}, EventID: "ev"})
			if tc.wantErr {
				require.Error(t, err)
				require.True(t, trigger.IsTerminal(err))
				require.ErrorContains(t, err, "never got the labels")
				return
			}
			require.NoError(t, err)
			require.Contains(t, res.Ref, tc.wantRef)
		})
	}
}
