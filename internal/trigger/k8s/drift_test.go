package k8s

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// ingressYAML is a rendered Ingress as the trigger sends it.
const ingressYAML = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: ns
  labels: {events.argoproj.io/sensor: sn, events.argoproj.io/action-timestamp: "1", app: web}
  annotations: {events.herald.dev/event-id: ev-1}
  ownerReferences: [{apiVersion: v1, kind: Service, name: web, uid: u-1, controller: true}]
spec:
  rules:
  - host: web.example
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 8080}}}}]
`

func yamlObj(t *testing.T, m string) *unstructured.Unstructured {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(m))
	require.NoError(t, err)
	obj, err := decodeJSON(j, "test")
	require.NoError(t, err)
	return obj
}

func TestDrifted(t *testing.T) {
	tests := []struct {
		name string
		edit func(live *unstructured.Unstructured)
		want bool
	}{
		{name: "unchanged", edit: func(*unstructured.Unstructured) {}},
		{name: "status and server metadata", edit: func(l *unstructured.Unstructured) {
			l.Object["status"] = map[string]any{"loadBalancer": map[string]any{}}
			l.SetResourceVersion("42")
			l.SetGeneration(3)
		}},
		{name: "labels and annotations of others", edit: func(l *unstructured.Unstructured) {
			l.SetLabels(map[string]string{"app": "web", "events.argoproj.io/sensor": "sn", "theirs": "x"})
			l.SetAnnotations(map[string]string{"theirs": "y"})
		}},
		{name: "Herald's own marks changed", edit: func(l *unstructured.Unstructured) {
			l.SetLabels(map[string]string{"app": "web"})
			l.SetAnnotations(nil)
		}},
		{name: "a number read back as float", edit: func(l *unstructured.Unstructured) {
			rules := l.Object["spec"].(map[string]any)["rules"].([]any)
			port := rules[0].(map[string]any)["http"].(map[string]any)["paths"].([]any)[0].(map[string]any)["backend"].(map[string]any)["service"].(map[string]any)["port"].(map[string]any)
			port["number"] = float64(8080)
		}},
		{name: "spec edited", want: true, edit: func(l *unstructured.Unstructured) {
			l.Object["spec"].(map[string]any)["ingressClassName"] = "other"
		}},
		{name: "a field added in spec", want: true, edit: func(l *unstructured.Unstructured) {
			l.Object["spec"].(map[string]any)["tls"] = []any{map[string]any{"secretName": "x"}}
		}},
		{name: "a label of the trigger changed", want: true, edit: func(l *unstructured.Unstructured) {
			l.SetLabels(map[string]string{"app": "other"})
		}},
		{name: "owner reference removed", want: true, edit: func(l *unstructured.Unstructured) {
			l.SetOwnerReferences(nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sent := yamlObj(t, ingressYAML)
			rec := newRecord(sent, sent)
			live := sent.DeepCopy()
			tt.edit(live)
			require.Equal(t, tt.want, rec.drifted(live))
			if tt.want {
				require.False(t, rec.drifted(rec.repaired(live)), "a repaired object has not drifted")
			}
		})
	}
}

func TestRepairedKeepsWhatOthersAdded(t *testing.T) {
	sent := yamlObj(t, ingressYAML)
	rec := newRecord(sent, sent)
	live := sent.DeepCopy()
	live.SetLabels(map[string]string{"theirs": "x"})
	live.Object["spec"].(map[string]any)["tls"] = []any{"x"}
	live.Object["status"] = map[string]any{"s": "kept"}

	got := rec.repaired(live)
	require.Equal(t, sent.Object["spec"], got.Object["spec"], "spec is put back whole")
	require.Equal(t, map[string]string{
		"theirs": "x", "app": "web", "events.argoproj.io/sensor": "sn", "events.argoproj.io/action-timestamp": "1",
	}, got.GetLabels())
	require.Equal(t, map[string]any{"s": "kept"}, got.Object["status"])
	require.Len(t, got.GetOwnerReferences(), 1)
}
