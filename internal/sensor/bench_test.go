package sensor

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/k8s"
)

// nopTrigger does nothing.
type nopTrigger struct{}

func (nopTrigger) Execute(context.Context, *trigger.Request) (trigger.Result, error) {
	return trigger.Result{}, nil
}

func nopKind(name string) trigger.Kind {
	return trigger.Kind{Name: name, New: func(trigger.Env, *v1alpha1.Sensor, *v1alpha1.Trigger) (trigger.Trigger, error) {
		return nopTrigger{}, nil
	}}
}

// objectBuilder is what the k8s trigger does before its API call.
type objectBuilder interface {
	Object(ctx context.Context, req *trigger.Request) (*unstructured.Unstructured, error)
}

// renderingKind is a trigger kind whose triggers, when fired, do all the
// work of the kind's real trigger except the API call: they build the
// object the call would send (its encoding is part of the call).
func renderingKind(kind trigger.Kind) trigger.Kind {
	return trigger.Kind{Name: kind.Name, New: func(env trigger.Env, s *v1alpha1.Sensor, t *v1alpha1.Trigger) (trigger.Trigger, error) {
		built, err := kind.New(env, s, t)
		if err != nil {
			return nil, err
		}
		return renderOnly{built.(objectBuilder)}, nil
	}}
}

type renderOnly struct{ b objectBuilder }

func (t renderOnly) Execute(ctx context.Context, req *trigger.Request) (trigger.Result, error) {
	_, err := t.b.Object(ctx, req)
	return trigger.Result{}, err
}

// BenchmarkSensorEvaluate runs the auto-ingress Sensor's per-event work
// on the scenario's Service event, without a bus: the jq transform, the
// filters, the trigger-level parameters, and the k8s trigger's rendering
// of the Ingress (its source, parameters, owner, labels: everything before
// the API call, which encodes and sends it). The log trigger is a no-op.
func BenchmarkSensorEvaluate(b *testing.B) {
	manifest, err := os.ReadFile("testdata/ingress-sn.yaml")
	require.NoError(b, err)
	payload := compactPayload(b, "testdata/payload.json")
	e, err := newEngine(Config{
		Sensor:   sensorYAML(b, string(manifest)),
		Registry: trigger.NewRegistry(renderingKind(k8s.NewKind(k8s.Options{})), nopKind("log")),
	})
	require.NoError(b, err)
	ev := &event.Event{
		ID: "bench", Source: "ingress-es", Subject: "svc-events", Type: "resource",
		Time: time.Now(), DataContentType: event.ContentTypeJSON, Data: payload,
	}
	ctx := context.Background()
	require.Equal(b, done, e.process(ctx, ev, 1))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if e.process(ctx, ev, 1) != done {
			b.Fatal("event not done")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// compactPayload reads an event payload written for people (indented) and
// returns it as the resource event source puts it on the bus: written by
// encoding/json, compact with sorted keys.
func compactPayload(tb testing.TB, path string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(tb, err)
	var v map[string]any
	require.NoError(tb, json.Unmarshal(raw, &v))
	out, err := json.Marshal(v)
	require.NoError(tb, err)
	return out
}
