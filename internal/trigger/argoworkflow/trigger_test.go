package argoworkflow_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/argoworkflow"
	"github.com/herald-dev/herald/internal/trigger/k8s"
	"github.com/herald-dev/herald/internal/trigger/triggertest"
)

func TestConformance(t *testing.T) {
	var sensor *v1alpha1.Sensor
	newTrigger := func(t *testing.T, source *v1alpha1.ArtifactLocation) trigger.Trigger {
		sensor = sensorIn(newNamespace(t), "")
		return build(t, sensor, &v1alpha1.ArgoWorkflowTrigger{Source: source, Parameters: []v1alpha1.TriggerParameter{nameParam}})
	}
	// Open the shared client's connection before the leak checks start.
	_, err := fire(t, newTrigger(t, resource(t, workflowYAML("x"))), sensor, "warm-up", `{"name":"warm-up"}`)
	require.NoError(t, err)

	triggertest.Run(t, triggertest.Harness{
		New: func(t *testing.T) trigger.Trigger { return newTrigger(t, resource(t, workflowYAML("x"))) },
		Request: func(i int) *trigger.Request {
			return request(sensor, fmt.Sprintf("ev-%d", i), fmt.Sprintf(`{"name":"wf-%d"}`, i))
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

func TestSubmitCreatesTheWorkflow(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	tr := build(t, sensor, &v1alpha1.ArgoWorkflowTrigger{
		Operation:  v1alpha1.ArgoWorkflowOpSubmit,
		Source:     resource(t, workflowYAML("special-trigger")),
		Parameters: []v1alpha1.TriggerParameter{messageParam},
	})
	res, err := fire(t, tr, sensor, "ev-1", `{"message":"from the event"}`)
	require.NoError(t, err)
	require.Equal(t, "argoproj.io/v1alpha1 Workflow "+ns+"/special-trigger submitted", res.Ref)

	wf := getObj(t, workflows, ns, "special-trigger")
	v, _, _ := unstructured.NestedSlice(wf.Object, "spec", "arguments", "parameters")
	require.Equal(t, "from the event", v[0].(map[string]any)["value"])
	labels := wf.GetLabels()
	require.Equal(t, "a", labels["team"])
	require.Equal(t, "sn", labels[k8s.LabelSensor])
	require.Equal(t, "tr", labels[k8s.LabelTrigger])
	require.NotEmpty(t, labels[k8s.LabelActionTimestamp])
	require.Equal(t, "ev-1", wf.GetAnnotations()[k8s.AnnotationEventID])

	// A redelivery of the same event is recognised, also by a trigger built
	// anew (a restart between the create and the acknowledgement): the
	// event id is in the Workflow, not in memory.
	for _, tr := range []trigger.Trigger{tr, build(t, sensor, &v1alpha1.ArgoWorkflowTrigger{
		Source: resource(t, workflowYAML("special-trigger")), Parameters: []v1alpha1.TriggerParameter{messageParam},
	})} {
		res, err = fire(t, tr, sensor, "ev-1", `{"message":"from the event"}`)
		require.NoError(t, err)
		require.Equal(t, "argoproj.io/v1alpha1 Workflow "+ns+"/special-trigger already submitted by this event", res.Ref)
	}

	// Another event cannot submit a Workflow of the same name: final.
	_, err = fire(t, tr, sensor, "ev-2", `{"message":"again"}`)
	require.True(t, apierrors.IsAlreadyExists(err), "%v", err)
	require.True(t, trigger.IsTerminal(err))
}

func TestSubmitHonoursGenerateNameAndNamespace(t *testing.T) {
	ns, other := newNamespace(t), newNamespace(t)
	sensor := sensorIn(ns, "")
	m := strings.Replace(workflowYAML("gen-"), "metadata:\n", "metadata:\n  namespace: "+other+"\n", 1)
	tr := build(t, sensor, &v1alpha1.ArgoWorkflowTrigger{Source: resource(t, m)})
	for i := range 2 {
		res, err := fire(t, tr, sensor, fmt.Sprintf("ev-%d", i), `{}`)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(res.Ref, "argoproj.io/v1alpha1 Workflow "+other+"/gen-"), res.Ref)
	}
	list, err := admin.Resource(workflows).Namespace(other).List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	require.Len(t, list.Items, 2)
}

func TestSubmitFromConfigMap(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	_, err := admin.Resource(cmGVR).Namespace(ns).Create(context.Background(), &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "wf"},
		"data":     map[string]any{"workflow": workflowYAML("from-cm")},
	}}, metav1.CreateOptions{})
	require.NoError(t, err)
	tr := build(t, sensor, &v1alpha1.ArgoWorkflowTrigger{
		Source:     &v1alpha1.ArtifactLocation{Configmap: configMapKey("wf", "workflow")},
		Parameters: []v1alpha1.TriggerParameter{messageParam},
	})
	_, err = fire(t, tr, sensor, "ev", `{"message":"cm"}`)
	require.NoError(t, err)
	wf := getObj(t, workflows, ns, "from-cm")
	v, _, _ := unstructured.NestedSlice(wf.Object, "spec", "arguments", "parameters")
	require.Equal(t, "cm", v[0].(map[string]any)["value"])
}

func TestSpecOperations(t *testing.T) {
	for _, tc := range []struct {
		op    v1alpha1.ArgoWorkflowOperation
		start string // spec fields of the Workflow before
		field string
		want  any // nil: absent
		what  string
	}{
		{v1alpha1.ArgoWorkflowOpSuspend, "", "suspend", true, "suspended"},
		{v1alpha1.ArgoWorkflowOpResume, "  suspend: true\n", "suspend", nil, "resumed"},
		{v1alpha1.ArgoWorkflowOpTerminate, "", "shutdown", "Terminate", "terminated"},
		{v1alpha1.ArgoWorkflowOpStop, "", "shutdown", "Stop", "stopped"},
	} {
		t.Run(string(tc.op), func(t *testing.T) {
			ns := newNamespace(t)
			sensor := sensorIn(ns, "")
			createObj(t, workflows, ns, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: running\nspec:\n  entrypoint: main\n"+tc.start)
			tr := build(t, sensor, &v1alpha1.ArgoWorkflowTrigger{
				Operation:  tc.op,
				Source:     resource(t, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: placeholder\n"),
				Parameters: []v1alpha1.TriggerParameter{nameParam},
			})
			res, err := fire(t, tr, sensor, "ev", `{"name":"running"}`)
			require.NoError(t, err)
			require.Equal(t, "argoproj.io/v1alpha1 Workflow "+ns+"/running "+tc.what, res.Ref)
			wf := getObj(t, workflows, ns, "running")
			got, found, _ := unstructured.NestedFieldNoCopy(wf.Object, "spec", tc.field)
			if tc.want == nil {
				require.False(t, found, "spec.%s = %v", tc.field, got)
			} else {
				require.Equal(t, tc.want, got)
			}
			require.Equal(t, "main", wf.Object["spec"].(map[string]any)["entrypoint"], "the rest of the spec is kept")

			// A missing Workflow may come later: transient.
			_, err = fire(t, tr, sensor, "ev", `{"name":"missing"}`)
			require.True(t, apierrors.IsNotFound(err), "%v", err)
			require.False(t, trigger.IsTerminal(err))

			// A completed Workflow is not acted on: final.
			createObj(t, workflows, ns, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: done\n  labels:\n    workflows.argoproj.io/completed: \"true\"\nspec:\n  entrypoint: main\n")
			_, err = fire(t, tr, sensor, "ev", `{"name":"done"}`)
			require.ErrorContains(t, err, string(tc.op)+" argoproj.io/v1alpha1 Workflow "+ns+"/done: the Workflow has completed")
			require.True(t, trigger.IsTerminal(err))
		})
	}
}

func TestResubmit(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	createObj(t, workflows, ns, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: old
  labels:
    team: a
    workflows.argoproj.io/completed: "true"
    workflows.argoproj.io/phase: Failed
  annotations:
    note: kept
spec:
  entrypoint: main
  shutdown: Terminate
  suspend: true
status:
  phase: Failed
`)
	tr := build(t, sensor, &v1alpha1.ArgoWorkflowTrigger{
		Operation: v1alpha1.ArgoWorkflowOpResubmit,
		Source:    resource(t, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: old\n"),
	})
	res, err := fire(t, tr, sensor, "ev", `{}`)
	require.NoError(t, err)
	prefix := "argoproj.io/v1alpha1 Workflow " + ns + "/old-"
	require.True(t, strings.HasPrefix(res.Ref, prefix), res.Ref)
	require.True(t, strings.HasSuffix(res.Ref, " resubmitted from old"), res.Ref)
	name := strings.Fields(strings.TrimPrefix(res.Ref, prefix))[0]
	wf := getObj(t, workflows, ns, "old-"+name)
	require.Equal(t, map[string]any{"entrypoint": "main"}, wf.Object["spec"])
	require.Nil(t, wf.Object["status"])
	require.Equal(t, map[string]string{"team": "a", "workflows.argoproj.io/resubmitted-from-workflow": "old"}, wf.GetLabels())
	require.Equal(t, "kept", wf.GetAnnotations()["note"])
	require.Equal(t, "ev", wf.GetAnnotations()[k8s.AnnotationEventID])
}

func TestSubmitFrom(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	createObj(t, cronWorkflows, ns, `apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
spec:
  schedule: "0 2 * * *"
  workflowMetadata:
    labels:
      team: b
  workflowSpec:
    entrypoint: main
`)
	for _, tc := range []struct {
		kind, name string
		wantSpec   map[string]any
		wantLabels map[string]string
	}{
		{
			"WorkflowTemplate", "print",
			map[string]any{"workflowTemplateRef": map[string]any{"name": "print"}},
			map[string]string{"workflows.argoproj.io/workflow-template": "print"},
		},
		{
			"ClusterWorkflowTemplate", "shared",
			map[string]any{"workflowTemplateRef": map[string]any{"name": "shared", "clusterScope": true}},
			map[string]string{"workflows.argoproj.io/cluster-workflow-template": "shared"},
		},
		{
			"CronWorkflow", "nightly",
			map[string]any{"entrypoint": "main"},
			map[string]string{"workflows.argoproj.io/cron-workflow": "nightly", "team": "b"},
		},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			tr := build(t, sensor, &v1alpha1.ArgoWorkflowTrigger{
				Operation: v1alpha1.ArgoWorkflowOpSubmitFrom,
				Source:    resource(t, "apiVersion: argoproj.io/v1alpha1\nkind: "+tc.kind+"\nmetadata:\n  name: "+tc.name+"\n"),
			})
			res, err := fire(t, tr, sensor, "ev", `{}`)
			require.NoError(t, err)
			prefix := "argoproj.io/v1alpha1 Workflow " + ns + "/" + tc.name + "-"
			require.True(t, strings.HasPrefix(res.Ref, prefix), res.Ref)
			wf := getObj(t, workflows, ns, tc.name+"-"+strings.Fields(strings.TrimPrefix(res.Ref, prefix))[0])
			require.Equal(t, tc.wantSpec, wf.Object["spec"])
			require.Equal(t, tc.wantLabels, wf.GetLabels())
		})
	}

	tr := build(t, sensor, &v1alpha1.ArgoWorkflowTrigger{
		Operation: v1alpha1.ArgoWorkflowOpSubmitFrom,
		Source:    resource(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
	})
	_, err := fire(t, tr, sensor, "ev", `{}`)
	require.EqualError(t, err, "submit-from needs a WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow, not a v1 ConfigMap")
	require.True(t, trigger.IsTerminal(err))
}

func TestActsAsTheSensorServiceAccount(t *testing.T) {
	ns := newNamespace(t)
	grant(t, ns, "operate-workflow-sa", "create", "get")

	allowed := sensorIn(ns, "operate-workflow-sa")
	res, err := fire(t, build(t, allowed, &v1alpha1.ArgoWorkflowTrigger{Source: resource(t, workflowYAML("granted"))}), allowed, "ev", `{}`)
	require.NoError(t, err)
	require.Equal(t, "argoproj.io/v1alpha1 Workflow "+ns+"/granted submitted", res.Ref)

	denied := sensorIn(ns, "nobody")
	_, err = fire(t, build(t, denied, &v1alpha1.ArgoWorkflowTrigger{Source: resource(t, workflowYAML("denied"))}), denied, "ev", `{}`)
	require.True(t, apierrors.IsForbidden(err), "%v", err)
	require.True(t, trigger.IsTerminal(err))
	require.ErrorContains(t, err, "creating argoproj.io/v1alpha1 Workflow "+ns+"/denied as system:serviceaccount:"+ns+":nobody: ")
	_, err = admin.Resource(workflows).Namespace(ns).Get(context.Background(), "denied", metav1.GetOptions{})
	require.True(t, apierrors.IsNotFound(err), "nothing created")

	// The allowed account may not patch: suspend is refused, finally.
	_, err = fire(t, build(t, allowed, &v1alpha1.ArgoWorkflowTrigger{
		Operation: v1alpha1.ArgoWorkflowOpSuspend, Source: resource(t, workflowYAML("granted")),
	}), allowed, "ev", `{}`)
	require.True(t, apierrors.IsForbidden(err), "%v", err)
	require.True(t, trigger.IsTerminal(err))
}

func TestPolicyK8sLabels(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	steps := v1alpha1.Int64OrString{Type: v1alpha1.Int64OrStringInt64, Int64Val: 1}
	for _, tc := range []struct {
		name    string
		labels  map[string]string
		onError bool
		wantErr string
		wantRef string
	}{
		{"seen", map[string]string{"team": "a"}, true, "", " submitted"},
		{"not seen, tolerated", map[string]string{"workflows.argoproj.io/phase": "Succeeded"}, false, "", " submitted (policy.k8s labels not seen; errorOnBackoffTimeout is false)"},
		{"not seen, error", map[string]string{"workflows.argoproj.io/phase": "Succeeded"}, true, "never got the labels policy.k8s requires", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := strings.ReplaceAll(strings.ReplaceAll(tc.name, " ", "-"), ",", "")
			spec := &v1alpha1.ArgoWorkflowTrigger{Source: resource(t, workflowYAML(name))}
			tr := build(t, sensor, spec)
			req := request(sensor, "ev", `{}`)
			req.Trigger = triggerOf(spec)
			req.Trigger.Policy = &v1alpha1.TriggerPolicy{K8s: &v1alpha1.K8SResourcePolicy{
				Labels: tc.labels, ErrorOnBackoffTimeout: tc.onError,
				Backoff: &v1alpha1.Backoff{Steps: 2, Duration: &steps},
			}}
			res, err := tr.Execute(t.Context(), req)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.True(t, trigger.IsTerminal(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, "argoproj.io/v1alpha1 Workflow "+ns+"/"+name+tc.wantRef, res.Ref)
		})
	}
}

func TestBadInput(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	wf := resource(t, workflowYAML("bad"))
	for _, tc := range []struct {
		name string
		spec *v1alpha1.ArgoWorkflowTrigger
		want string
	}{
		{"retry", &v1alpha1.ArgoWorkflowTrigger{Operation: v1alpha1.ArgoWorkflowOpRetry, Source: wf}, "unsupported: operation retry needs the Argo Workflows controller's logic"},
		{"args", &v1alpha1.ArgoWorkflowTrigger{Source: wf, Args: []string{"--node-field-selector", "phase=abc"}}, "unsupported: args are arguments of the argo CLI"},
		{"unknown operation", &v1alpha1.ArgoWorkflowTrigger{Operation: "restart", Source: wf}, `unknown operation "restart"`},
		{"no source", &v1alpha1.ArgoWorkflowTrigger{}, "the argoWorkflow trigger has no source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := argoworkflow.New(testEnv(), sensor, triggerOf(tc.spec))
			require.ErrorContains(t, err, tc.want)
			require.True(t, trigger.IsTerminal(err), "%v", err)
		})
	}

	for _, tc := range []struct {
		name string
		spec *v1alpha1.ArgoWorkflowTrigger
		env  func(trigger.Env) trigger.Env
		want string
	}{
		{
			"not a workflow", &v1alpha1.ArgoWorkflowTrigger{Source: resource(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")},
			nil, "the source object is a v1 ConfigMap, not an argoproj.io/v1alpha1 Workflow",
		},
		{
			"no name", &v1alpha1.ArgoWorkflowTrigger{Source: resource(t, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec: {}\n")},
			nil, "operation submit: the source object has no metadata.name or metadata.generateName",
		},
		{
			"no name to suspend", &v1alpha1.ArgoWorkflowTrigger{Operation: v1alpha1.ArgoWorkflowOpSuspend, Source: resource(t, workflowYAML("gen-"))},
			nil, "operation suspend: the source object has no metadata.name: it names the object acted on",
		},
		{"parameter that does not apply", &v1alpha1.ArgoWorkflowTrigger{Source: wf, Parameters: []v1alpha1.TriggerParameter{{
			Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "absent"}, Dest: "metadata.name",
		}}}, nil, "applying the k8s parameters"},
		{
			"inline that does not decode", &v1alpha1.ArgoWorkflowTrigger{Source: &v1alpha1.ArtifactLocation{Inline: ptr("{not yaml")}},
			nil, "decoding source.inline",
		},
		{
			"no cluster", &v1alpha1.ArgoWorkflowTrigger{Source: wf},
			func(e trigger.Env) trigger.Env { e.Kube, e.Clients = nil, nil; return e }, "needs a cluster",
		},
		{
			"invalid workflow", &v1alpha1.ArgoWorkflowTrigger{Source: resource(t, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: x\nspec: 3\n")},
			nil, "creating argoproj.io/v1alpha1 Workflow " + ns + "/x: ",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv()
			if tc.env != nil {
				env = tc.env(env)
			}
			tr, err := argoworkflow.New(env, sensor, triggerOf(tc.spec))
			require.NoError(t, err)
			_, err = fire(t, tr, sensor, "ev", `{"message":"m"}`)
			require.ErrorContains(t, err, tc.want)
			require.True(t, trigger.IsTerminal(err), "%v", err)
		})
	}
}

// The kind registered in trigger.Default builds its clients from Env alone.
func TestRegisteredKind(t *testing.T) {
	kind, ok := trigger.Default.Lookup(argoworkflow.Name)
	require.True(t, ok)
	require.NotEmpty(t, kind.Doc)
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	env := testEnv()
	env.Clients = nil
	tr, err := kind.New(env, sensor, triggerOf(&v1alpha1.ArgoWorkflowTrigger{Source: resource(t, workflowYAML("reg"))}))
	require.NoError(t, err)
	res, err := fire(t, tr, sensor, "ev", `{}`)
	require.NoError(t, err)
	require.Equal(t, "argoproj.io/v1alpha1 Workflow "+ns+"/reg submitted", res.Ref)
}

func ptr[T any](v T) *T { return &v }
