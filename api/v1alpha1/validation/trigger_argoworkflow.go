package validation

import (
	"encoding/json"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// submitFromKinds are the kinds an argoWorkflow submit-from source may name.
var submitFromKinds = map[string]bool{"WorkflowTemplate": true, "ClusterWorkflowTemplate": true, "CronWorkflow": true}

// validateArgoWorkflowTrigger checks an argoWorkflow trigger's source,
// operation and args. Its parameters are checked by the caller. Herald runs
// the operations as API calls on the Workflow: retry, which needs the
// Workflow controller's logic, and args, arguments of the argo CLI, are
// unsupported. rewritten holds the template paths that trigger-level
// parameters replace at run time.
func validateArgoWorkflowTrigger(r *report, path *field.Path, a *v1alpha1.ArgoWorkflowTrigger, s Support, rewritten map[string]bool) {
	validateArtifactLocation(r, path.Child("source"), a.Source, "argoWorkflow", s, a.Parameters)
	opPath := path.Child("operation")
	switch a.Operation {
	case "", v1alpha1.ArgoWorkflowOpSubmit, v1alpha1.ArgoWorkflowOpSubmitFrom, v1alpha1.ArgoWorkflowOpResubmit,
		v1alpha1.ArgoWorkflowOpSuspend, v1alpha1.ArgoWorkflowOpResume, v1alpha1.ArgoWorkflowOpTerminate, v1alpha1.ArgoWorkflowOpStop:
	case v1alpha1.ArgoWorkflowOpRetry:
		r.add(unsupported(opPath, "operation retry needs the Argo Workflows controller's logic, not a plain API call (use resubmit)"))
	default:
		r.add(invalid(opPath, string(a.Operation),
			"unknown operation %q (want submit, submit-from, resubmit, retry, resume, suspend, terminate, stop)", a.Operation))
	}
	if len(a.Args) > 0 {
		r.add(unsupported(path.Child("args"), "args are arguments of the argo CLI, which Herald does not run: it makes API calls instead"))
	}
	if rewritten["argoWorkflow.operation"] || a.Source == nil || a.Source.Resource == nil {
		return
	}
	validateWorkflowSource(r, path.Child("source", "resource"), a, a.Source.Resource)
}

// validateWorkflowSource checks that a resource source is what the
// operation acts on: a Workflow with a name or generateName to submit, a
// template to submit from, a named Workflow otherwise. Fields that the
// trigger's parameters set are not checked.
func validateWorkflowSource(r *report, path *field.Path, a *v1alpha1.ArgoWorkflowTrigger, res *v1alpha1.K8SResource) {
	var obj struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name         string `json:"name"`
			GenerateName string `json:"generateName"`
		} `json:"metadata"`
	}
	if json.Unmarshal(res.Value, &obj) != nil || obj.Kind == "" || paramSets(a.Parameters, "kind") || paramSets(a.Parameters, "apiVersion") {
		return // reported by validateResourceManifest, or set per event
	}
	op := a.Operation
	if op == "" {
		op = v1alpha1.ArgoWorkflowOpSubmit
	}
	named := obj.Metadata.Name != "" || paramSets(a.Parameters, "metadata.name")
	switch {
	case op == v1alpha1.ArgoWorkflowOpSubmitFrom:
		if !submitFromKinds[obj.Kind] {
			r.add(invalid(path.Child("kind"), obj.Kind, "submit-from needs a WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow, not a %s", obj.Kind))
		}
	case obj.APIVersion != "argoproj.io/v1alpha1" || obj.Kind != "Workflow":
		r.add(invalid(path.Child("kind"), obj.Kind, "operation %s acts on an argoproj.io/v1alpha1 Workflow, not a %s %s", op, obj.APIVersion, obj.Kind))
		return
	}
	switch {
	case named:
	case op == v1alpha1.ArgoWorkflowOpSubmit:
		if obj.Metadata.GenerateName == "" && !paramSets(a.Parameters, "metadata.generateName") {
			r.add(required(path.Child("metadata", "name"), "name or generateName is required: the Workflow to submit"))
		}
	default:
		r.add(required(path.Child("metadata", "name"), "name is required: operation %s acts on the %s of that name", op, obj.Kind))
	}
}
