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
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// The auto-ingress scenario: a resource event for a Service, the Sensor's jq
// transform, its trigger-level parameter (k8s.operation) and its k8s
// parameters must give exactly the expected Ingress, with port.number an
// integer (useRawData on a Number).

const autoIngress = "testdata/autoingress"

func TestAutoIngress(t *testing.T) {
	tests := []struct {
		name, sensor, payload, expected, operation string
	}{
		{name: "C1 create", sensor: "ingress-sn.yaml", payload: "payload.json", expected: "C1.ingress.yaml", operation: "create"},
		{name: "C2 update port", sensor: "ingress-sn.yaml", payload: "payload-update-C2.json", expected: "C2.ingress.yaml", operation: "update"},
		{name: "B3 beyond, owned by the Service", sensor: "ingress-sn-beyond.yaml", payload: "payload.json", expected: "B3.ingress.yaml", operation: "create"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sensor := loadSensor(t, tc.sensor)
			events := autoIngressEvents(t, sensor, tc.payload)
			trigger := sensor.Spec.Triggers[0]

			tmpl, err := ApplyToTemplate(trigger.Template, trigger.Parameters, events)
			require.NoError(t, err)
			require.Equal(t, v1alpha1.KubernetesResourceOperation(tc.operation), tmpl.K8s.Operation)
			require.Equal(t, v1alpha1.K8sOperationCreate, trigger.Template.K8s.Operation, "the Sensor's template must not change")

			obj := &unstructured.Unstructured{}
			require.NoError(t, obj.UnmarshalJSON(tmpl.K8s.Source.Resource.Value))
			require.NoError(t, ApplyToObject(obj, tmpl.K8s.Parameters, events))

			want := loadExpected(t, tc.expected)
			require.Equal(t, want.GetAPIVersion(), obj.GetAPIVersion())
			require.Equal(t, want.GetKind(), obj.GetKind())
			require.Equal(t, want.GetName(), obj.GetName())
			require.Equal(t, want.GetNamespace(), obj.GetNamespace())
			require.Equal(t, want.Object["spec"], obj.Object["spec"])
			if owners, ok := want.Object["metadata"].(map[string]any)["ownerReferences"]; ok {
				// "~uid:playground/fortune-svc" is the Service's uid, the one in the payload.
				owners.([]any)[0].(map[string]any)["uid"] = "5f1c2a7e-3b0d-4c55-9d1e-7a8b9c0d1e2f"
				require.Equal(t, owners, obj.Object["metadata"].(map[string]any)["ownerReferences"])
			}
		})
	}
}

// TestAutoIngressPortIsInteger pins the detail the scenario insists on.
func TestAutoIngressPortIsInteger(t *testing.T) {
	sensor := loadSensor(t, "ingress-sn.yaml")
	events := autoIngressEvents(t, sensor, "payload.json")
	k8s := sensor.Spec.Triggers[0].Template.K8s
	out, err := Apply(k8s.Source.Resource.Value, k8s.Parameters, events)
	require.NoError(t, err)
	require.JSONEq(t, `{"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
		"metadata":{"name":"fortune-svc-ingress","namespace":"playground"},
		"spec":{"ingressClassName":"nginx","rules":[{"host":"fortune-192.168.39.152.nip.io",
		"http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"fortune-svc","port":{"number":8080}}}}]}}]}}`, string(out))

	obj := &unstructured.Unstructured{}
	require.NoError(t, obj.UnmarshalJSON(k8s.Source.Resource.Value))
	require.NoError(t, ApplyToObject(obj, k8s.Parameters, events))
	rules, _, err := unstructured.NestedSlice(obj.Object, "spec", "rules")
	require.NoError(t, err)
	paths, _, err := unstructured.NestedSlice(rules[0].(map[string]any), "http", "paths")
	require.NoError(t, err)
	port, _, err := unstructured.NestedFieldNoCopy(paths[0].(map[string]any), "backend", "service", "port", "number")
	require.NoError(t, err)
	require.Equal(t, int64(8080), port)
}

func loadSensor(t testing.TB, name string) *v1alpha1.Sensor {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(autoIngress, name))
	require.NoError(t, err)
	var s v1alpha1.Sensor
	require.NoError(t, yaml.Unmarshal(raw, &s))
	return &s
}

func loadExpected(t testing.TB, name string) *unstructured.Unstructured {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(autoIngress, name))
	require.NoError(t, err)
	j, err := yaml.YAMLToJSON(raw)
	require.NoError(t, err)
	obj := &unstructured.Unstructured{}
	require.NoError(t, obj.UnmarshalJSON(j))
	return obj
}

// autoIngressEvents builds the event the resource source publishes for the
// payload, after the dependency's jq transform, which Argo runs on the data
// decoded into map[string]any and marshals back (keys sorted).
func autoIngressEvents(t testing.TB, sensor *v1alpha1.Sensor, payload string) map[string]*event.Event {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(autoIngress, payload))
	require.NoError(t, err)
	var data map[string]any
	require.NoError(t, json.Unmarshal(raw, &data))
	dep := sensor.Spec.Dependencies[0]
	q, err := gojq.Parse(dep.Transform.JQ)
	require.NoError(t, err)
	code, err := gojq.Compile(q)
	require.NoError(t, err)
	v, ok := code.Run(data).Next()
	require.True(t, ok)
	if err, isErr := v.(error); isErr {
		require.NoError(t, err)
	}
	out, err := json.Marshal(v)
	require.NoError(t, err)
	return map[string]*event.Event{dep.Name: {
		ID:              "0b6f2a1c-auto-ingress",
		Source:          "ingress-es",
		Subject:         "svc-events",
		Type:            "resource",
		Time:            time.Date(2026, 11, 26, 11, 30, 0, 0, time.UTC),
		DataContentType: "application/json",
		Data:            out,
	}}
}
