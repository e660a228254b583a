package v1alpha1

import (
	k8stypes "k8s.io/apimachinery/pkg/types"
)

// KubernetesResourceOperation is what a k8s trigger does with its object.
type KubernetesResourceOperation string

// Values of KubernetesResourceOperation.
const (
	// K8sOperationCreate creates the object.
	K8sOperationCreate KubernetesResourceOperation = "create"
	// K8sOperationUpdate updates the object (creating it when missing).
	K8sOperationUpdate KubernetesResourceOperation = "update"
	// K8sOperationPatch patches the object with PatchStrategy.
	K8sOperationPatch KubernetesResourceOperation = "patch"
	// K8sOperationDelete deletes the object.
	K8sOperationDelete KubernetesResourceOperation = "delete"
	// K8sOperationApply server-side applies the object. Herald only; Argo has
	// no such operation.
	K8sOperationApply KubernetesResourceOperation = "apply"
)

// ArgoWorkflowOperation is what an argoWorkflow trigger does with a workflow.
type ArgoWorkflowOperation string

// Values of ArgoWorkflowOperation.
const (
	// ArgoWorkflowOpSubmit submits the workflow.
	ArgoWorkflowOpSubmit ArgoWorkflowOperation = "submit"
	// ArgoWorkflowOpSubmitFrom submits a workflow from an existing resource
	// such as a WorkflowTemplate or CronWorkflow.
	ArgoWorkflowOpSubmitFrom ArgoWorkflowOperation = "submit-from"
	// ArgoWorkflowOpSuspend suspends the workflow.
	ArgoWorkflowOpSuspend ArgoWorkflowOperation = "suspend"
	// ArgoWorkflowOpResubmit resubmits the workflow.
	ArgoWorkflowOpResubmit ArgoWorkflowOperation = "resubmit"
	// ArgoWorkflowOpRetry retries the workflow.
	ArgoWorkflowOpRetry ArgoWorkflowOperation = "retry"
	// ArgoWorkflowOpResume resumes the workflow.
	ArgoWorkflowOpResume ArgoWorkflowOperation = "resume"
	// ArgoWorkflowOpTerminate terminates the workflow.
	ArgoWorkflowOpTerminate ArgoWorkflowOperation = "terminate"
	// ArgoWorkflowOpStop stops the workflow.
	ArgoWorkflowOpStop ArgoWorkflowOperation = "stop"
)

// StandardK8STrigger acts on any Kubernetes object.
type StandardK8STrigger struct {
	// Source is where the object manifest is read from.
	// +optional
	Source *ArtifactLocation `json:"source,omitempty"`
	// Operation is what to do with the object. Defaults to create.
	// +optional
	Operation KubernetesResourceOperation `json:"operation,omitempty"`
	// Parameters rewrite the object from event values before it is used.
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
	// PatchStrategy is the patch content type for the patch operation:
	// application/json-patch+json, application/merge-patch+json (the default),
	// application/strategic-merge-patch+json or application/apply-patch+yaml.
	// +optional
	PatchStrategy k8stypes.PatchType `json:"patchStrategy,omitempty"`
	// LiveObject, for the update operation, reads the current object from the
	// cluster instead of using the manifest as it is; the manifest must then
	// name the object fully (apiVersion, kind, name, namespace).
	// +optional
	LiveObject bool `json:"liveObject,omitempty"`
}

// ArgoWorkflowTrigger runs an operation on an Argo Workflow through the argo CLI.
type ArgoWorkflowTrigger struct {
	// Source is where the workflow manifest is read from.
	// +optional
	Source *ArtifactLocation `json:"source,omitempty"`
	// Operation is what to do with the workflow. Defaults to submit.
	// +optional
	Operation ArgoWorkflowOperation `json:"operation,omitempty"`
	// Parameters rewrite the workflow from event values before it is used.
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
	// Args are extra arguments passed to the argo CLI.
	// +optional
	Args []string `json:"args,omitempty"`
}
