package k8s

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trigger"
)

var renderClock = func() time.Time { return time.UnixMilli(1767225600000) }

func renderRequest(sensor *v1alpha1.Sensor, spec *v1alpha1.StandardK8STrigger, data string) *trigger.Request {
	ev := &event.Event{ID: "ev-1", Source: "es", Subject: "ev", Type: "webhook", DataContentType: event.ContentTypeJSON, Data: []byte(data)}
	return &trigger.Request{Sensor: sensor, Trigger: k8sTriggerOf(spec), Events: map[string]*event.Event{"dep": ev}, EventID: "ev-1"}
}

// TestRenderWithoutCluster renders with a trigger built without any
// Kubernetes configuration: nothing is contacted, and executing it fails
// for good.
func TestRenderWithoutCluster(t *testing.T) {
	sensor := sensorIn("shop", "")
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: one\n"
	tests := []struct {
		name   string
		spec   *v1alpha1.StandardK8STrigger
		want   string
		target string
		notes  []string
		err    string
	}{
		{
			name:   "create adds Argo's labels and the event id",
			spec:   &v1alpha1.StandardK8STrigger{Operation: v1alpha1.K8sOperationCreate, Source: resource(t, cm), Parameters: []v1alpha1.TriggerParameter{nameParam}},
			want:   `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c-1","namespace":"shop","labels":{"events.argoproj.io/sensor":"sn","events.argoproj.io/trigger":"tr","events.argoproj.io/action-timestamp":"1767225600000"},"annotations":{"events.herald.dev/event-id":"ev-1"}},"data":{"a":"one"}}`,
			target: "v1 ConfigMap shop/c-1",
			notes:  []string{"namespace: the Sensor's (shop), assuming ConfigMap is namespaced"},
		},
		{
			name:   "delete adds nothing",
			spec:   &v1alpha1.StandardK8STrigger{Operation: v1alpha1.K8sOperationDelete, Source: resource(t, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: gone\n")},
			want:   `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"gone"}}`,
			target: "v1 Namespace gone",
		},
		{
			name: "url source needs the server",
			spec: &v1alpha1.StandardK8STrigger{Source: &v1alpha1.ArtifactLocation{URL: &v1alpha1.URLArtifact{Path: "http://127.0.0.1:1/x.yaml"}}},
			err:  "source.url is read only when rendering with the server (--server)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := NewKind(Options{}).New(trigger.Env{Logger: slog.New(slog.DiscardHandler)}, sensor, k8sTriggerOf(tt.spec))
			require.NoError(t, err)
			req := renderRequest(sensor, tt.spec, `{"name":"c-1"}`)
			got, err := tr.(trigger.Renderer).Render(t.Context(), req, trigger.RenderOptions{Now: renderClock})
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.JSONEq(t, tt.want, string(got.Object))
			require.Equal(t, tt.target, got.Target)
			require.Equal(t, tt.notes, got.Notes)
			require.Nil(t, got.Server)

			_, err = tr.Execute(t.Context(), req)
			require.ErrorIs(t, err, errNoCluster)
			require.True(t, trigger.IsTerminal(err))
		})
	}
}

// TestRenderServer dry-runs operations on a real API server: it answers,
// and nothing is stored.
func TestRenderServer(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	ingress := func(pathType string) string {
		return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
  - host: web.example
    http:
      paths:
      - path: /
        pathType: ` + pathType + `
        backend:
          service:
            name: web
            port:
              number: 80
`
	}
	render := func(t *testing.T, op v1alpha1.KubernetesResourceOperation, manifest string) trigger.Rendered {
		t.Helper()
		spec := &v1alpha1.StandardK8STrigger{Operation: op, Source: resource(t, manifest)}
		tr := build(t, sensor, spec)
		got, err := tr.(trigger.Renderer).Render(t.Context(), renderRequest(sensor, spec, `{}`), trigger.RenderOptions{Server: true, Now: renderClock})
		require.NoError(t, err)
		require.NotNil(t, got.Server)
		return got
	}
	absent := func(t *testing.T) {
		t.Helper()
		_, err := admin.Resource(ingresses).Namespace(ns).Get(context.Background(), "web", metav1.GetOptions{})
		require.True(t, apierrors.IsNotFound(err), "the dry run stored the Ingress: %v", err)
	}

	t.Run("create", func(t *testing.T) {
		got := render(t, v1alpha1.K8sOperationCreate, ingress("Prefix"))
		require.Empty(t, got.Server.Error)
		require.Equal(t, "would create", got.Server.Outcome)
		require.Equal(t, "networking.k8s.io/v1 Ingress "+ns+"/web", got.Target)
		var obj map[string]any
		require.NoError(t, json.Unmarshal(got.Server.Object, &obj))
		require.Equal(t, ns, obj["metadata"].(map[string]any)["namespace"])
		absent(t)
	})
	t.Run("invalid object refused", func(t *testing.T) {
		got := render(t, v1alpha1.K8sOperationCreate, ingress("Sideways"))
		require.Contains(t, got.Server.Error, "pathType")
		absent(t)
	})
	t.Run("delete of an absent object", func(t *testing.T) {
		got := render(t, v1alpha1.K8sOperationDelete, ingress("Prefix"))
		require.Equal(t, "absent, nothing to delete", got.Server.Outcome)
	})
	t.Run("update of an absent object creates", func(t *testing.T) {
		got := render(t, v1alpha1.K8sOperationUpdate, ingress("Prefix"))
		require.Equal(t, "absent: would create", got.Server.Outcome)
		absent(t)
	})
	t.Run("update of an existing object", func(t *testing.T) {
		_, err := admin.Resource(ingresses).Namespace(ns).Create(context.Background(), mustObj(t, ingress("Prefix")), metav1.CreateOptions{})
		require.NoError(t, err)
		got := render(t, v1alpha1.K8sOperationUpdate, ingress("Exact"))
		require.Empty(t, got.Server.Error)
		require.Equal(t, "would update", got.Server.Outcome)
		live := getObj(t, ingresses, ns, "web")
		rules, _, err := unstructured.NestedSlice(live.Object, "spec", "rules")
		require.NoError(t, err)
		paths, _, _ := unstructured.NestedSlice(rules[0].(map[string]any), "http", "paths")
		require.Equal(t, "Prefix", paths[0].(map[string]any)["pathType"], "the dry run changed the live Ingress")
	})
}
