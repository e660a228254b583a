package argoworkflow_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

func TestRender(t *testing.T) {
	sensor := sensorIn("playground", "")
	tr := build(t, sensor, &v1alpha1.ArgoWorkflowTrigger{
		Source:     resource(t, workflowYAML("special-trigger")),
		Parameters: []v1alpha1.TriggerParameter{messageParam},
	})
	at := time.UnixMilli(1700000000000)
	out, err := tr.(trigger.Renderer).Render(t.Context(), request(sensor, "ev-1", `{"message":"rendered"}`),
		trigger.RenderOptions{Now: func() time.Time { return at }})
	require.NoError(t, err)
	require.Equal(t, "submit", out.Operation)
	require.Equal(t, "argoproj.io/v1alpha1 Workflow playground/special-trigger", out.Target)
	var obj map[string]any
	require.NoError(t, json.Unmarshal(out.Object, &obj))
	meta := obj["metadata"].(map[string]any)
	require.Equal(t, map[string]any{
		"team": "a", "events.argoproj.io/sensor": "sn", "events.argoproj.io/trigger": "tr",
		"events.argoproj.io/action-timestamp": "1700000000000",
	}, meta["labels"])
	require.Equal(t, map[string]any{"events.herald.dev/event-id": "ev-1"}, meta["annotations"])
	require.Equal(t, "rendered", obj["spec"].(map[string]any)["arguments"].(map[string]any)["parameters"].([]any)[0].(map[string]any)["value"])
	require.Len(t, out.Parameters, 1)
	require.Equal(t, "rendered", out.Parameters[0].Value)

	// A configmap source is not read without the server.
	tr = build(t, sensor, &v1alpha1.ArgoWorkflowTrigger{Source: &v1alpha1.ArtifactLocation{Configmap: configMapKey("wf", "k")}})
	out, err = tr.(trigger.Renderer).Render(t.Context(), request(sensor, "ev-1", `{}`), trigger.RenderOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{"source.url and source.configmap are read only when rendering with the server (--server)"}, out.Notes)
}

// Trigger-level parameters may rewrite the operation: the request's
// template wins over the one the trigger was built with.
func TestTriggerLevelParameters(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	createObj(t, workflows, ns, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: running\nspec:\n  entrypoint: main\n")
	spec := &v1alpha1.ArgoWorkflowTrigger{Source: resource(t, workflowYAML("running"))}
	tr := build(t, sensor, spec)
	rewritten := *spec
	rewritten.Operation = v1alpha1.ArgoWorkflowOpStop
	req := request(sensor, "ev", `{}`)
	req.Trigger = triggerOf(&rewritten)
	res, err := tr.Execute(t.Context(), req)
	require.NoError(t, err)
	require.Equal(t, "argoproj.io/v1alpha1 Workflow "+ns+"/running stopped", res.Ref)

	rewritten.Operation = v1alpha1.ArgoWorkflowOpRetry
	_, err = tr.Execute(t.Context(), req)
	require.ErrorContains(t, err, "unsupported: operation retry")
	require.True(t, trigger.IsTerminal(err))
}
