package param

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/itchyny/gojq"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// The "Beyond Argo" cases B1 (named port), B2 (one path per port) and the
// spec of B3 (unnamed single port), rendered by the scenario's Argo-only
// Sensor (a jq transform building JSON blocks) and by the same Sensor
// written with Herald's expression parameters: both must give the expected
// spec exactly, and the same operation. Owner references are the k8s
// trigger's business in the Herald form, so only the spec is compared.
func TestAutoIngressBeyond(t *testing.T) {
	cases := []struct {
		name, expected, service, host string
		ports                         []any
	}{
		{
			name: "B1 named port", expected: "B1.ingress.yaml", service: "fortune-svc", host: "fortune-192.168.39.152.nip.io",
			ports: []any{map[string]any{"name": "http", "port": 8080, "protocol": "TCP", "targetPort": "fortune-port"}},
		},
		{
			name: "B2 two ports", expected: "B2.ingress.yaml", service: "fortune-multi", host: "fortune-multi-192.168.39.152.nip.io",
			ports: []any{
				map[string]any{"name": "http", "port": 8080, "protocol": "TCP", "targetPort": "fortune-port"},
				map[string]any{"name": "metrics", "port": 9100, "protocol": "TCP", "targetPort": 9100},
			},
		},
		{name: "B3 unnamed port", expected: "B3.ingress.yaml", service: "fortune-svc", host: "fortune-192.168.39.152.nip.io"},
	}
	for _, sensorFile := range []string{"ingress-sn-beyond.yaml", "ingress-sn-herald.yaml"} {
		for _, tc := range cases {
			t.Run(sensorFile+"/"+tc.name, func(t *testing.T) {
				sensor := loadSensor(t, sensorFile)
				events := beyondEvents(t, sensor, tc.service, tc.host, tc.ports)
				trigger := sensor.Spec.Triggers[0]

				tmpl, err := ApplyToTemplate(trigger.Template, trigger.Parameters, events)
				require.NoError(t, err)
				require.Equal(t, v1alpha1.K8sOperationCreate, tmpl.K8s.Operation)
				obj := &unstructured.Unstructured{}
				require.NoError(t, obj.UnmarshalJSON(tmpl.K8s.Source.Resource.Value))
				require.NoError(t, ApplyToObject(obj, tmpl.K8s.Parameters, events))

				want := loadExpected(t, tc.expected)
				require.Equal(t, want.GetName(), obj.GetName())
				require.Equal(t, want.GetNamespace(), obj.GetNamespace())
				require.Equal(t, want.Object["spec"], obj.Object["spec"])
			})
		}
	}
}

// beyondEvents builds the ADD event of payload.json for a Service with
// another name, host annotation and ports (nil: keep the payload's single
// unnamed port), after the dependency's transform when it has one.
func beyondEvents(t *testing.T, sensor *v1alpha1.Sensor, service, host string, ports []any) map[string]*event.Event {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(autoIngress, "payload.json"))
	require.NoError(t, err)
	var data map[string]any
	require.NoError(t, json.Unmarshal(raw, &data))
	body := data["body"].(map[string]any)
	meta := body["metadata"].(map[string]any)
	meta["name"] = service
	meta["annotations"].(map[string]any)["autodeploy-ingress-host"] = host
	if ports != nil {
		body["spec"].(map[string]any)["ports"] = ports
	}
	var out any = data
	dep := sensor.Spec.Dependencies[0]
	if dep.Transform != nil {
		q, err := gojq.Parse(dep.Transform.JQ)
		require.NoError(t, err)
		code, err := gojq.Compile(q)
		require.NoError(t, err)
		// gojq wants JSON's own types: round-trip the edited payload.
		b, err := json.Marshal(data)
		require.NoError(t, err)
		var in map[string]any
		require.NoError(t, json.Unmarshal(b, &in))
		v, ok := code.Run(in).Next()
		require.True(t, ok)
		if err, isErr := v.(error); isErr {
			require.NoError(t, err)
		}
		out = v
	}
	b, err := json.Marshal(out)
	require.NoError(t, err)
	return map[string]*event.Event{dep.Name: {
		ID: "0b6f2a1c-beyond", Source: "ingress-es", Subject: "svc-events", Type: "resource",
		Time: time.Date(2026, 11, 26, 11, 30, 0, 0, time.UTC), DataContentType: "application/json", Data: b,
	}}
}
