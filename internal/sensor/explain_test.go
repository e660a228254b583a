package sensor

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/golden"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/http"
	"github.com/herald-dev/herald/internal/trigger/k8s"
	"github.com/herald-dev/herald/internal/trigger/log"
)

// explainClock is the fixed clock of the explain tests.
var explainClock = func() time.Time { return time.Date(2026, 11, 26, 11, 30, 0, 0, time.UTC) }

func newTestExplainer(t *testing.T, s *v1alpha1.Sensor) *Explainer {
	t.Helper()
	reg := trigger.NewRegistry(k8s.NewKind(k8s.Options{}), http.Kind, log.Kind)
	x, err := NewExplainer(Config{Sensor: s, Registry: reg, Now: explainClock}, trigger.RenderOptions{Now: explainClock})
	require.NoError(t, err)
	return x
}

func explainEvent(id, source, subject, data string) *event.Event {
	return &event.Event{
		ID: id, Source: source, Subject: subject, Type: "webhook", Time: explainClock(),
		DataContentType: event.ContentTypeJSON, Data: []byte(data),
	}
}

const explainSensor = `
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s, namespace: ns}
spec:
  dependencies:
  - name: a
    eventSourceName: es
    eventName: a
    filters:
      data:
      - path: kind
        type: string
        value: ["^Order$"]
  - name: b
    eventSourceName: es
    eventName: b
    transform:
      jq: .x.y
  triggers:
  - template:
      name: single
      conditions: a
      http:
        url: http://sink/orders
        payload:
        - src: {dependencyName: a, dataKey: id}
          dest: order
  - template:
      name: both
      conditions: a && b
      log: {}
`

func TestExplain(t *testing.T) {
	s := sensorYAML(t, explainSensor)
	tests := []struct {
		name   string
		events []*event.Event
		check  func(t *testing.T, tr *EventTrace)
	}{
		{
			name:   "passes and fires the single trigger",
			events: []*event.Event{explainEvent("1", "es", "a", `{"kind":"Order","id":7}`)},
			check: func(t *testing.T, tr *EventTrace) {
				require.True(t, tr.Dependencies[0].Matched)
				require.False(t, tr.Dependencies[1].Listens)
				require.Equal(t, StatusFired, tr.Triggers[0].Status)
				f := tr.Triggers[0].Firings[0]
				require.Empty(t, f.Error)
				require.Equal(t, "POST", f.Rendered.Operation)
				require.JSONEq(t, `{"order":"7"}`, string(f.Rendered.Object))
				require.Equal(t, StatusWaiting, tr.Triggers[1].Status)
				require.Equal(t, []string{"a"}, tr.Triggers[1].Gathered)
			},
		},
		{
			name:   "rejected by a data filter",
			events: []*event.Event{explainEvent("1", "es", "a", `{"kind":"Pod"}`)},
			check: func(t *testing.T, tr *EventTrace) {
				d := tr.Dependencies[0]
				require.False(t, d.Matched)
				require.Equal(t, []string{`data[0] kind: saw "Pod", want type string, value matching "^Order$"`}, d.Filter.Reasons)
				require.Equal(t, StatusIdle, tr.Triggers[0].Status)
			},
		},
		{
			name:   "transform error",
			events: []*event.Event{explainEvent("1", "es", "b", `{"x":{"y":1}}`)},
			check: func(t *testing.T, tr *EventTrace) {
				d := tr.Dependencies[1]
				require.False(t, d.Matched)
				require.Contains(t, d.Transform.Error, "must be a JSON object")
				require.Nil(t, d.Filter)
			},
		},
		{
			name: "gathers until the condition holds",
			events: []*event.Event{
				explainEvent("1", "es", "a", `{"kind":"Order","id":1}`),
				explainEvent("2", "es", "b", `{"x":{"y":{"z":2}}}`),
			},
			check: func(t *testing.T, tr *EventTrace) {
				require.Equal(t, StatusIdle, tr.Triggers[0].Status)
				both := tr.Triggers[1]
				require.Equal(t, StatusFired, both.Status)
				require.Equal(t, []string{"a", "b"}, both.Firings[0].Dependencies)
				require.Contains(t, string(both.Firings[0].Rendered.Object), `"data":{"z":2}`)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newTestExplainer(t, s)
			var tr *EventTrace
			for _, ev := range tt.events {
				var err error
				tr, err = x.Explain(t.Context(), ev)
				require.NoError(t, err)
			}
			tt.check(t, tr)
		})
	}
}

// TestExplainAutoIngress renders the scenario's C1 without a cluster: the
// Ingress as the k8s trigger would create it, port as an integer.
func TestExplainAutoIngress(t *testing.T) {
	raw, err := os.ReadFile("testdata/ingress-sn.yaml")
	require.NoError(t, err)
	s := new(v1alpha1.Sensor)
	require.NoError(t, yaml.Unmarshal(raw, s))
	data, err := os.ReadFile("testdata/payload.json")
	require.NoError(t, err)
	x := newTestExplainer(t, s)
	ev := explainEvent("c1", "ingress-es", "svc-events", string(data))
	ev.Type = "resource"
	tr, err := x.Explain(t.Context(), ev)
	require.NoError(t, err)
	require.Equal(t, StatusFired, tr.Triggers[0].Status)
	f := tr.Triggers[0].Firings[0]
	require.Empty(t, f.Error)
	require.Equal(t, "create", f.Rendered.Operation)
	require.Equal(t, "networking.k8s.io/v1 Ingress playground/fortune-svc-ingress", f.Rendered.Target)
	var obj struct {
		Spec struct {
			Rules []struct {
				HTTP struct {
					Paths []struct {
						Backend struct {
							Service struct {
								Port map[string]any `json:"port"`
							} `json:"service"`
						} `json:"backend"`
					} `json:"paths"`
				} `json:"http"`
			} `json:"rules"`
		} `json:"spec"`
	}
	require.NoError(t, json.Unmarshal(f.Rendered.Object, &obj))
	require.Equal(t, map[string]any{"number": float64(8080)}, obj.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Port)

	out, err := json.MarshalIndent(tr.Triggers, "", "  ")
	require.NoError(t, err)
	golden.Check(t, "testdata/explain-auto-ingress-c1.golden.json", append(out, '\n'))
}
