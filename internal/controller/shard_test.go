package controller

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
)

func TestShardRunsListenersEverywhere(t *testing.T) {
	kind := func(name string, listener bool, used func(*v1alpha1.EventSourceSpec) bool) eventsource.Kind {
		return eventsource.Kind{Name: name, Listener: listener, Configs: func(s *v1alpha1.EventSourceSpec) map[string]any {
			if used(s) {
				return map[string]any{"e": nil}
			}
			return nil
		}}
	}
	reg := eventsource.NewRegistry(
		kind("webhook", true, func(s *v1alpha1.EventSourceSpec) bool { return len(s.Webhook) > 0 }),
		kind("calendar", false, func(s *v1alpha1.EventSourceSpec) bool { return len(s.Calendar) > 0 }),
	)
	tests := []struct {
		name string
		spec v1alpha1.EventSourceSpec
		want bool
	}{
		{"webhooks only", v1alpha1.EventSourceSpec{Webhook: map[string]v1alpha1.WebhookEventSource{"a": {}, "b": {}}}, true},
		{"a schedule", v1alpha1.EventSourceSpec{Calendar: map[string]v1alpha1.CalendarEventSource{"a": {}}}, false},
		{"a webhook and a schedule", v1alpha1.EventSourceSpec{
			Webhook:  map[string]v1alpha1.WebhookEventSource{"a": {}},
			Calendar: map[string]v1alpha1.CalendarEventSource{"b": {}},
		}, false},
		{"nothing", v1alpha1.EventSourceSpec{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := &v1alpha1.EventSource{Spec: tt.spec}
			require.Equal(t, tt.want, shard{sources: reg}.everywhere(es))
		})
	}
}

func TestShardOfOneReplicaRunsEverything(t *testing.T) {
	var s shard
	require.True(t, s.owns(v1alpha1.KindSensor, "ns", "s"))
	require.True(t, s.runs(&v1alpha1.EventSource{}))
	require.Equal(t, "runs in the herald controller", s.where(nil))
}
