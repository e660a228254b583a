package validation

import (
	"testing"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// workflowTrig replaces the first trigger's kind with an argoWorkflow
// trigger submitting the Workflow manifest m, and returns it.
func workflowTrig(sn *v1alpha1.Sensor, m string) *v1alpha1.ArgoWorkflowTrigger {
	trig(sn).K8s = nil
	trig(sn).ArgoWorkflow = &v1alpha1.ArgoWorkflowTrigger{
		Source: &v1alpha1.ArtifactLocation{Resource: resource(m)},
	}
	return trig(sn).ArgoWorkflow
}

const (
	namedWorkflow     = `{"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow","metadata":{"name":"wf"},"spec":{"entrypoint":"main"}}`
	generatedWorkflow = `{"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow","metadata":{"generateName":"wf-"},"spec":{"entrypoint":"main"}}`
	unnamedWorkflow   = `{"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow","spec":{"entrypoint":"main"}}`
)

func TestValidateArgoWorkflowTrigger(t *testing.T) {
	const p = "spec.triggers[0].template.argoWorkflow"
	nameParam := v1alpha1.TriggerParameter{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "body.name"}, Dest: "metadata.name"}
	cases := []sensorCase{
		{name: "submit", mutate: func(sn *v1alpha1.Sensor) { workflowTrig(sn, namedWorkflow) }},
		{name: "submit with generateName", mutate: func(sn *v1alpha1.Sensor) {
			workflowTrig(sn, generatedWorkflow).Operation = v1alpha1.ArgoWorkflowOpSubmit
		}},
		{name: "inline source", mutate: func(sn *v1alpha1.Sensor) {
			workflowTrig(sn, namedWorkflow).Source = &v1alpha1.ArtifactLocation{Inline: ptr("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n")}
		}},
		{name: "name set by a parameter", mutate: func(sn *v1alpha1.Sensor) {
			w := workflowTrig(sn, unnamedWorkflow)
			w.Operation = v1alpha1.ArgoWorkflowOpSuspend
			w.Parameters = []v1alpha1.TriggerParameter{nameParam}
		}},
		{name: "submit-from a CronWorkflow", mutate: func(sn *v1alpha1.Sensor) {
			workflowTrig(sn, `{"apiVersion":"argoproj.io/v1alpha1","kind":"CronWorkflow","metadata":{"name":"c"}}`).Operation = v1alpha1.ArgoWorkflowOpSubmitFrom
		}},
		{
			name:   "no source",
			mutate: func(sn *v1alpha1.Sensor) { workflowTrig(sn, namedWorkflow).Source = nil },
			errs:   []string{p + ".source: source is required: where the object manifest is read from (want one of resource, inline, file, url, configmap, git, s3)"},
		},
		{
			name: "git source",
			mutate: func(sn *v1alpha1.Sensor) {
				workflowTrig(sn, namedWorkflow).Source = &v1alpha1.ArtifactLocation{Git: &v1alpha1.GitArtifact{}}
			},
			errs: []string{p + ".source.git: unsupported: argoWorkflow trigger source git"},
		},
		{
			name:   "retry",
			mutate: func(sn *v1alpha1.Sensor) { workflowTrig(sn, namedWorkflow).Operation = v1alpha1.ArgoWorkflowOpRetry },
			errs:   []string{p + ".operation: unsupported: operation retry needs the Argo Workflows controller's logic, not a plain API call (use resubmit)"},
		},
		{
			name:   "unknown operation",
			mutate: func(sn *v1alpha1.Sensor) { workflowTrig(sn, namedWorkflow).Operation = "restart" },
			errs:   []string{p + `.operation: unknown operation "restart" (want submit, submit-from, resubmit, retry, resume, suspend, terminate, stop)`},
		},
		{
			name: "args",
			mutate: func(sn *v1alpha1.Sensor) {
				workflowTrig(sn, namedWorkflow).Args = []string{"--node-field-selector", "phase=abc"}
			},
			errs: []string{p + ".args: unsupported: args are arguments of the argo CLI, which Herald does not run: it makes API calls instead"},
		},
		{
			name:   "submit without a name",
			mutate: func(sn *v1alpha1.Sensor) { workflowTrig(sn, unnamedWorkflow) },
			errs:   []string{p + ".source.resource.metadata.name: name or generateName is required: the Workflow to submit"},
		},
		{
			name:   "stop without a name",
			mutate: func(sn *v1alpha1.Sensor) { workflowTrig(sn, generatedWorkflow).Operation = v1alpha1.ArgoWorkflowOpStop },
			errs:   []string{p + ".source.resource.metadata.name: name is required: operation stop acts on the Workflow of that name"},
		},
		{
			name: "submit a ConfigMap",
			mutate: func(sn *v1alpha1.Sensor) {
				workflowTrig(sn, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}`)
			},
			errs: []string{p + `.source.resource.kind: operation submit acts on an argoproj.io/v1alpha1 Workflow, not a v1 ConfigMap`},
		},
		{
			name: "submit-from a Workflow",
			mutate: func(sn *v1alpha1.Sensor) {
				workflowTrig(sn, namedWorkflow).Operation = v1alpha1.ArgoWorkflowOpSubmitFrom
			},
			errs: []string{p + `.source.resource.kind: submit-from needs a WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow, not a Workflow`},
		},
		{
			name: "operation set by a trigger-level parameter",
			mutate: func(sn *v1alpha1.Sensor) {
				workflowTrig(sn, generatedWorkflow)
				sn.Spec.Triggers[0].Parameters = []v1alpha1.TriggerParameter{{
					Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "body.op"}, Dest: "argoWorkflow.operation",
				}}
			},
		},
	}
	runKindCases(t, withTrigger("argoWorkflow"), cases)
}
