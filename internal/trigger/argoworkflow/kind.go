// Package argoworkflow is the "argoWorkflow" trigger kind: it submits,
// resubmits, suspends, resumes, terminates or stops an Argo Workflow per
// firing, as Argo Events' argoWorkflow trigger does, but with plain API
// calls on argoproj.io/v1alpha1 objects instead of the argo CLI.
package argoworkflow

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/clients"
	"github.com/herald-dev/herald/internal/trigger/k8s"
)

// Name is the kind's key under a trigger template.
const Name = "argoWorkflow"

// Resources of Argo Workflows the operations act on.
var (
	workflows        = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "workflows"}
	cronWorkflows    = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "cronworkflows"}
	workflowAPI      = "argoproj.io/v1alpha1"
	kindWorkflow     = "Workflow"
	errRetryNeedsCLI = errors.New("unsupported: operation retry needs the Argo Workflows controller's logic (resetting failed nodes " +
		"and deleting their pods), which is not a plain API call: use resubmit, or an http trigger calling the Argo Server's retry endpoint")
)

// Kind is the "argoWorkflow" trigger kind.
var Kind = trigger.Kind{
	Name: Name,
	New:  New,
	Doc: "Submits or controls an Argo Workflow with plain Kubernetes API calls (no argo CLI).\n\n" +
		"The Workflow manifest is read from `source` (`resource`, `inline`, `file`, `url` or `configmap`, as for the k8s trigger) " +
		"and rewritten by `parameters`; the trigger acts as the Sensor's ServiceAccount (`spec.template.serviceAccountName`), " +
		"which needs the rights on `workflows.argoproj.io` that the operation uses.\n\n" +
		"Operations: `submit` (the default) creates the Workflow (`generateName` is honoured) with Argo's sensor, trigger and " +
		"action-timestamp labels; `submit-from` creates a Workflow from the WorkflowTemplate, ClusterWorkflowTemplate " +
		"(`workflowTemplateRef`) or CronWorkflow (its `workflowSpec`) the source names; `resubmit` creates a new Workflow from " +
		"the spec of the Workflow the source names; `suspend` and `resume` set and clear `spec.suspend`; `terminate` and `stop` " +
		"set `spec.shutdown` to `Terminate` and `Stop`. For operations other than submit the source only names the object: " +
		"`metadata.name` and, optionally, `metadata.namespace` (the Sensor's by default).\n\n" +
		"Differences from Argo Events: `retry` is unsupported (it needs the workflow controller's logic) and so is `args` " +
		"(arguments of the argo CLI). `resume` clears `spec.suspend` only: nodes waiting in a `suspend` template are not " +
		"resumed. A `policy.k8s` is applied to the Workflow written, as Argo does. A redelivered event does not submit a " +
		"named Workflow twice (Herald records the event id in an annotation); with `generateName` it may.\n\n" +
		"A Workflow not found (it may not be created yet), conflicts, timeouts, throttling, unauthorized, 5xx and network errors " +
		"are retried with the trigger's `retryStrategy`; other 4xx answers (invalid, forbidden, already exists), an operation " +
		"on a completed Workflow and a Workflow CRD the API server does not serve are final.",
}

func init() { trigger.Default.Register(Kind) }

// New builds the argoWorkflow trigger of t.
func New(env trigger.Env, sensor *v1alpha1.Sensor, t *v1alpha1.Trigger) (trigger.Trigger, error) {
	if t == nil || t.Template == nil || t.Template.ArgoWorkflow == nil {
		return nil, errors.New("building the argoWorkflow trigger: the template has no argoWorkflow field")
	}
	spec := t.Template.ArgoWorkflow
	p, err := prepare(env, spec)
	if err != nil {
		return nil, fmt.Errorf("building argoWorkflow trigger %s: %w", t.Template.Name, err)
	}
	tr := &workflowTrigger{env: env, sensor: sensor, name: t.Template.Name, prepared: p}
	if sensor != nil && sensor.Spec.Template != nil && sensor.Spec.Template.ServiceAccountName != "" {
		tr.identity = clients.ServiceAccountIdentity(sensor.Namespace, sensor.Spec.Template.ServiceAccountName)
	}
	return tr, nil
}

// prepared is an argoWorkflow spec checked and ready to execute.
type prepared struct {
	spec   *v1alpha1.ArgoWorkflowTrigger
	op     v1alpha1.ArgoWorkflowOperation
	loader *k8s.Loader
}

// prepare checks spec: its operation, its args and its source.
func prepare(env trigger.Env, spec *v1alpha1.ArgoWorkflowTrigger) (*prepared, error) {
	op := spec.Operation
	if op == "" {
		op = v1alpha1.ArgoWorkflowOpSubmit
	}
	switch op {
	case v1alpha1.ArgoWorkflowOpSubmit, v1alpha1.ArgoWorkflowOpSubmitFrom, v1alpha1.ArgoWorkflowOpResubmit,
		v1alpha1.ArgoWorkflowOpSuspend, v1alpha1.ArgoWorkflowOpResume, v1alpha1.ArgoWorkflowOpTerminate, v1alpha1.ArgoWorkflowOpStop:
	case v1alpha1.ArgoWorkflowOpRetry:
		return nil, trigger.Terminal(errRetryNeedsCLI)
	default:
		return nil, trigger.Terminal(fmt.Errorf("unknown operation %q (want submit, submit-from, resubmit, suspend, resume, terminate or stop)", spec.Operation))
	}
	if len(spec.Args) > 0 {
		return nil, trigger.Terminal(errors.New("unsupported: args are arguments of the argo CLI, which Herald does not run"))
	}
	if spec.Source == nil {
		return nil, trigger.Terminal(errors.New("the argoWorkflow trigger has no source"))
	}
	loader, err := k8s.NewLoader(env, spec.Source, spec.Parameters)
	if err != nil {
		return nil, err
	}
	return &prepared{spec: spec, op: op, loader: loader}, nil
}
