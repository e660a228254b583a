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
	// Owner is a Herald extension (Argo Events rejects it): the object
	// written is owned by the object carried in an event (an ownerReference
	// with controller: true), so Kubernetes deletes it with its owner.
	// +optional
	Owner *K8SOwner `json:"owner,omitempty"`
	// Reconcile is a Herald extension (Argo Events rejects it): Herald
	// watches every object this trigger wrote and, when someone edits or
	// deletes it, writes it back as the last event rendered it, until a
	// delete operation removes it or its owner is gone.
	// +optional
	Reconcile bool `json:"reconcile,omitempty"`
}

// K8SOwner names the event object that owns the objects a k8s trigger
// writes. The owner must live in the written object's namespace (or be
// cluster-scoped).
type K8SOwner struct {
	// DependencyName is the dependency whose event carries the owner.
	DependencyName string `json:"dependencyName"`
	// DataKey is the gjson path of the owner object in the event data;
	// "body" (a resource event's object) when empty. The object must carry
	// apiVersion, kind, metadata.name and metadata.uid.
	// +optional
	DataKey string `json:"dataKey,omitempty"`
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
