package ui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/bundle"
	"github.com/herald-dev/herald/internal/golden"
	"github.com/herald-dev/herald/internal/manifest"
	"github.com/herald-dev/herald/internal/metrics"
	"github.com/herald-dev/herald/internal/testenv"
	"github.com/herald-dev/herald/internal/trace"
	"github.com/herald-dev/herald/internal/ui"
)

// getFlow serves GET /api/v1/flow with o and decodes the answer.
func getFlow(t *testing.T, o ui.Options) ui.Flow {
	t.Helper()
	mux := http.NewServeMux()
	ui.Register(mux, o)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/api/v1/flow", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var f ui.Flow
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &f))
	return f
}

func loadExample(t *testing.T) *bundle.Bundle {
	t.Helper()
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	b, diags, err := bundle.Load([]string{filepath.Join(root, "examples", "auto-ingress")}, bundle.Options{})
	require.NoError(t, err)
	require.False(t, diags.HasErrors(), "%v", diags)
	return b
}

// TestFlowAutoIngress draws the auto-ingress example with counts from the
// metrics the pipeline registers: three Services seen, one filtered out
// with a reason, an Ingress made twice, a log trigger failing once.
func TestFlowAutoIngress(t *testing.T) {
	reg := prometheus.NewRegistry()
	sources := metrics.NewSources(reg)
	for range 3 {
		sources.EventEmitted("playground", "ingress-es", "svc-events")
	}
	sn := metrics.NewSensors(reg).For("playground", "ingress-sn")
	for range 3 {
		sn.EventReceived()
	}
	sn.EventFiltered("svc-dep", "filter")
	sn.TriggerSucceeded("ingress")
	sn.TriggerSucceeded("ingress")
	sn.TriggerSucceeded("log")
	sn.TriggerFailed("log", false)

	f := getFlow(t, ui.Options{Objects: loadExample(t), Metrics: reg})

	yamls := map[string]string{}
	for i := range f.Nodes {
		yamls[f.Nodes[i].ID] = f.Nodes[i].YAML
		f.Nodes[i].YAML = ""
	}
	out, err := json.MarshalIndent(f, "", "  ")
	require.NoError(t, err)
	golden.Check(t, "testdata/flow-auto-ingress.golden.json", append(out, '\n'))

	// Each node's YAML is its own section of the manifest.
	tests := []struct {
		id   string
		path []string
		want any
	}{
		{"eventsource/playground/ingress-es", []string{"kind"}, "EventSource"},
		{"event/playground/ingress-es/svc-events", []string{"resource", "svc-events", "resource"}, "services"},
		{"sensor/playground/ingress-sn", []string{"metadata", "name"}, "ingress-sn"},
		{"dependency/playground/ingress-sn/svc-dep", []string{"eventName"}, "svc-events"},
		{"trigger/playground/ingress-sn/ingress", []string{"template", "k8s", "operation"}, "create"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			var v any
			require.NoError(t, yaml.Unmarshal([]byte(yamls[tc.id]), &v), yamls[tc.id])
			for _, k := range tc.path {
				m, ok := v.(map[string]any)
				require.True(t, ok, "%s in %s", k, yamls[tc.id])
				v = m[k]
			}
			require.Equal(t, tc.want, v)
		})
	}
}

// TestFlowEdges covers the cases the example does not: a Sensor listening
// to two events (no per-dependency delivery count: the published count is
// shown), a dependency on an event nobody declares, filter errors as
// failures, publish errors.
func TestFlowEdges(t *testing.T) {
	es := &v1alpha1.EventSource{
		ObjectMeta: metav1.ObjectMeta{Name: "hooks", Namespace: "ns"},
		Spec: v1alpha1.EventSourceSpec{Webhook: map[string]v1alpha1.WebhookEventSource{
			"a": {}, "b": {},
		}},
	}
	sn := &v1alpha1.Sensor{
		ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "ns"},
		Spec: v1alpha1.SensorSpec{
			Dependencies: []v1alpha1.EventDependency{
				{Name: "da", EventSourceName: "hooks", EventName: "a"},
				{Name: "db", EventSourceName: "hooks", EventName: "b"},
				{Name: "typo", EventSourceName: "hooks", EventName: "c"},
			},
			Triggers: []v1alpha1.Trigger{{Template: &v1alpha1.TriggerTemplate{Name: "t", Log: &v1alpha1.LogTrigger{}}}},
		},
	}
	b := &bundle.Bundle{Objects: []bundle.Object{
		{Document: manifest.Document{Object: es}, Status: bundle.Clean},
		{Document: manifest.Document{Object: sn}, Status: bundle.Warned},
	}}

	reg := prometheus.NewRegistry()
	src := metrics.NewSources(reg)
	for range 4 {
		src.EventEmitted("ns", "hooks", "a")
	}
	src.EventEmitted("ns", "hooks", "b")
	src.EventFailed("ns", "hooks", "b")
	m := metrics.NewSensors(reg).For("ns", "s")
	for range 5 {
		m.EventReceived()
	}
	m.EventFiltered("da", "filter")
	m.EventFiltered("da", "filter_error")
	m.EventFiltered("db", "transform_error")
	m.TriggerFailed("t", true)
	m.TriggerFailed("t", false)

	f := getFlow(t, ui.Options{Objects: b, Metrics: reg})
	edges := map[string]ui.Edge{}
	for _, e := range f.Edges {
		edges[e.From+" -> "+e.To] = e
	}
	want := map[string]ui.Edge{
		"eventsource/ns/hooks -> event/ns/hooks/a": {Count: 4},
		"eventsource/ns/hooks -> event/ns/hooks/b": {Count: 1, Failures: 1},
		"event/ns/hooks/a -> dependency/ns/s/da":   {Count: 4, Filtered: 2, Failures: 1},
		"event/ns/hooks/b -> dependency/ns/s/db":   {Count: 1, Filtered: 1, Failures: 1},
		"event/ns/hooks/c -> dependency/ns/s/typo": {},
		"sensor/ns/s -> trigger/ns/s/t":            {Failures: 2},
	}
	require.Len(t, edges, len(want))
	for k, w := range want {
		got, ok := edges[k]
		require.True(t, ok, "edge %s", k)
		got.From, got.To = "", ""
		require.Equal(t, w, got, k)
	}
	var missing []string
	for _, n := range f.Nodes {
		if n.Missing {
			missing = append(missing, n.ID)
		}
		if n.Kind == ui.KindTrigger {
			require.Equal(t, "log", n.Type)
		}
	}
	require.Equal(t, []string{"event/ns/hooks/c"}, missing)
}

type lister map[string]trace.Summary

func (l lister) Recent(_ context.Context, f trace.Filter, limit int) ([]trace.Summary, error) {
	if s, ok := l[f.Sensor]; ok && limit > 0 {
		return []trace.Summary{s}, nil
	}
	return nil, nil
}

func TestFlowShowsEachSensorsLastEvent(t *testing.T) {
	last := trace.Summary{
		ID: "e1", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Namespace: "playground",
		EventSource: "ingress-es", EventName: "svc-events", Outcome: trace.OutcomeFiltered, Sensors: []string{"ingress-sn"},
	}
	f := getFlow(t, ui.Options{Objects: loadExample(t), Events: lister{"ingress-sn": last}})
	for _, n := range f.Nodes {
		if n.Kind == ui.KindSensor {
			require.Equal(t, &last, n.Last)
			continue
		}
		require.Nil(t, n.Last, n.ID)
	}
}

func TestFlowWithoutMetricsOrBundle(t *testing.T) {
	f := getFlow(t, ui.Options{})
	require.Empty(t, f.Nodes)
	require.Empty(t, f.Edges)
}

func TestFlowPutsObjectsWithoutNamespaceInTheDefaultOne(t *testing.T) {
	sn := &v1alpha1.Sensor{
		ObjectMeta: metav1.ObjectMeta{Name: "s"},
		Spec: v1alpha1.SensorSpec{
			Dependencies: []v1alpha1.EventDependency{{Name: "d", EventSourceName: "hooks", EventName: "a"}},
		},
	}
	b := &bundle.Bundle{Objects: []bundle.Object{{Document: manifest.Document{Object: sn}, Status: bundle.Clean}}}
	f := getFlow(t, ui.Options{Objects: b, Namespace: "default"})
	var ids []string
	for _, n := range f.Nodes {
		ids = append(ids, n.ID)
		require.Equal(t, "default", n.Namespace)
	}
	require.Equal(t, []string{"sensor/default/s", "dependency/default/s/d", "event/default/hooks/a"}, ids)
	require.Empty(t, sn.Namespace, "the bundle's object is left as it was")
}
