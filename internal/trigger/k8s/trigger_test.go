package k8s

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/triggertest"
)

func TestConformance(t *testing.T) {
	var sensor *v1alpha1.Sensor
	newTrigger := func(t *testing.T, source *v1alpha1.ArtifactLocation) trigger.Trigger {
		sensor = sensorIn(newNamespace(t), "")
		return build(t, sensor, &v1alpha1.StandardK8STrigger{Source: source, Parameters: []v1alpha1.TriggerParameter{nameParam}})
	}
	// Open the shared client's connection before the leak checks start.
	_, err := fire(t, newTrigger(t, resource(t, configMapYAML("x"))), sensor, "warm-up", `{"name":"warm-up"}`)
	require.NoError(t, err)

	triggertest.Run(t, triggertest.Harness{
		New: func(t *testing.T) trigger.Trigger { return newTrigger(t, resource(t, configMapYAML("x"))) },
		Request: func(i int) *trigger.Request {
			id := fmt.Sprintf("ev-%d", i)
			ev := &event.Event{
				ID: id, Source: "es", Subject: "ev", Type: "webhook", DataContentType: event.ContentTypeJSON,
				Data: fmt.Appendf(nil, `{"name":"c-%d"}`, i),
			}
			return &trigger.Request{Sensor: sensor, Events: map[string]*event.Event{"dep": ev}, EventID: id}
		},
		Blocking: func(t *testing.T) trigger.Trigger {
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-release:
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(release) })
			return newTrigger(t, &v1alpha1.ArtifactLocation{URL: &v1alpha1.URLArtifact{Path: srv.URL}})
		},
	})
}
