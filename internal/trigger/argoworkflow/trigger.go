package argoworkflow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/k8s"
)

// Labels Argo Workflows sets on Workflows it has finished, and the ones
// Herald sets on the Workflows submit-from and resubmit create.
const (
	labelCompleted        = "workflows.argoproj.io/completed"
	labelWorkflowTemplate = "workflows.argoproj.io/workflow-template"
	labelClusterTemplate  = "workflows.argoproj.io/cluster-workflow-template"
	labelCronWorkflow     = "workflows.argoproj.io/cron-workflow"
	labelResubmittedFrom  = "workflows.argoproj.io/resubmitted-from-workflow"
	labelPrefixWorkflows  = "workflows.argoproj.io/"
)

var _ trigger.Trigger = (*workflowTrigger)(nil)

// workflowTrigger is one argoWorkflow trigger of a Sensor.
type workflowTrigger struct {
	env      trigger.Env
	sensor   *v1alpha1.Sensor
	name     string
	identity string
	prepared *prepared
}

// call is one firing's operation with what it acts on.
type call struct {
	op        v1alpha1.ArgoWorkflowOperation
	obj       *unstructured.Unstructured
	namespace string
	dyn       dynamic.Interface
	identity  string
}

// ref names the Workflow acted on, e.g. "argoproj.io/v1alpha1 Workflow ns/name".
func ref(obj *unstructured.Unstructured, namespace string) string {
	name := obj.GetName()
	if name == "" {
		name = obj.GetGenerateName() + "*"
	}
	kind := obj.GetKind()
	if kind == "" {
		kind = kindWorkflow
	}
	return obj.GetAPIVersion() + " " + kind + " " + namespace + "/" + name
}

// fail wraps err, returned while doing verb on what, with the identity, and
// classifies it as the k8s trigger does.
func (c *call) fail(verb, what string, err error) error {
	as := ""
	if c.identity != "" {
		as = " as " + c.identity
	}
	return k8s.Classify(fmt.Errorf("%s %s%s: %w", verb, what, as, err))
}

// Execute performs the operation for one firing. Errors the API server
// gives for a request no retry can fix (forbidden, invalid, an unknown
// resource, a Workflow of that name not created by this event) and errors
// in the rendered object are terminal; conflicts, not found, timeouts,
// throttling, server errors and unreachable sources are transient.
func (t *workflowTrigger) Execute(ctx context.Context, req *trigger.Request) (trigger.Result, error) {
	p, sensor, err := t.forRequest(req)
	if err != nil {
		return trigger.Result{}, err
	}
	obj, err := p.loader.Object(ctx, req.Events, sensor.Namespace)
	if err != nil {
		return trigger.Result{}, err
	}
	c := &call{op: p.op, obj: obj, namespace: obj.GetNamespace(), identity: t.identity}
	if c.namespace == "" {
		c.namespace = sensor.Namespace
	}
	obj.SetNamespace(c.namespace)
	if obj.GetName() == "" && (p.op != v1alpha1.ArgoWorkflowOpSubmit || obj.GetGenerateName() == "") {
		return trigger.Result{}, trigger.Terminal(fmt.Errorf("operation %s: the source object has no metadata.name%s", p.op, generateNameHint(p.op)))
	}
	if c.dyn, err = p.loader.Dynamic(t.identity); err != nil {
		return trigger.Result{}, fmt.Errorf("getting the client of %q: %w", t.identity, err)
	}
	written, res, err := t.run(ctx, c, sensor, req)
	err = p.loader.Settle(ctx, err)
	if err != nil || written == nil || req.Trigger == nil || req.Trigger.Policy == nil {
		return res, err
	}
	client := c.dyn.Resource(workflows).Namespace(c.namespace)
	return trigger.AwaitLabels(ctx, req.Trigger.Policy.K8s, "the Workflow "+written.GetName(), func(ctx context.Context) (map[string]string, error) {
		obj, err := client.Get(ctx, written.GetName(), metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		return obj.GetLabels(), nil
	}, res)
}

func generateNameHint(op v1alpha1.ArgoWorkflowOperation) string {
	if op == v1alpha1.ArgoWorkflowOpSubmit {
		return " or metadata.generateName"
	}
	return ": it names the object acted on"
}

// run dispatches the operation; it returns the Workflow written.
func (t *workflowTrigger) run(ctx context.Context, c *call, sensor *v1alpha1.Sensor, req *trigger.Request) (*unstructured.Unstructured, trigger.Result, error) {
	switch c.op {
	case v1alpha1.ArgoWorkflowOpSubmit:
		return t.submit(ctx, c, sensor, req)
	case v1alpha1.ArgoWorkflowOpSubmitFrom:
		return t.submitFrom(ctx, c, req)
	case v1alpha1.ArgoWorkflowOpResubmit:
		return t.resubmit(ctx, c, req)
	case v1alpha1.ArgoWorkflowOpSuspend:
		return t.patchSpec(ctx, c, "suspend", true, "suspended")
	case v1alpha1.ArgoWorkflowOpResume:
		return t.patchSpec(ctx, c, "suspend", nil, "resumed")
	case v1alpha1.ArgoWorkflowOpTerminate:
		return t.patchSpec(ctx, c, "shutdown", "Terminate", "terminated")
	case v1alpha1.ArgoWorkflowOpStop:
		return t.patchSpec(ctx, c, "shutdown", "Stop", "stopped")
	}
	return nil, trigger.Result{}, trigger.Terminal(fmt.Errorf("unknown operation %q", c.op))
}

// submit creates the Workflow with Argo's labels and Herald's event id.
func (t *workflowTrigger) submit(ctx context.Context, c *call, sensor *v1alpha1.Sensor, req *trigger.Request) (*unstructured.Unstructured, trigger.Result, error) {
	if err := checkWorkflow(c.obj); err != nil {
		return nil, trigger.Result{}, err
	}
	labels := c.obj.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[k8s.LabelSensor] = sensor.Name
	labels[k8s.LabelTrigger] = t.name
	labels[k8s.LabelActionTimestamp] = strconv.FormatInt(time.Now().UnixMilli(), 10)
	c.obj.SetLabels(labels)
	return c.create(ctx, c.obj, req.EventID, "submitted")
}

// checkWorkflow refuses an object that is not an Argo Workflow.
func checkWorkflow(obj *unstructured.Unstructured) error {
	if obj.GetAPIVersion() != workflowAPI || obj.GetKind() != kindWorkflow {
		return trigger.Terminal(fmt.Errorf("the source object is a %s %s, not an %s %s", obj.GetAPIVersion(), obj.GetKind(), workflowAPI, kindWorkflow))
	}
	return nil
}

// create POSTs wf, recording eventID. A Workflow of that name already
// created by the same event is success (a redelivery).
func (c *call) create(ctx context.Context, wf *unstructured.Unstructured, eventID, what string) (*unstructured.Unstructured, trigger.Result, error) {
	if eventID != "" {
		ann := wf.GetAnnotations()
		if ann == nil {
			ann = map[string]string{}
		}
		ann[k8s.AnnotationEventID] = eventID
		wf.SetAnnotations(ann)
	}
	client := c.dyn.Resource(workflows).Namespace(c.namespace)
	created, err := client.Create(ctx, wf, metav1.CreateOptions{FieldManager: k8s.FieldManager})
	if err == nil {
		return created, trigger.Result{Ref: ref(created, c.namespace) + " " + what}, nil
	}
	if apierrors.IsAlreadyExists(err) && eventID != "" && wf.GetName() != "" {
		existing, gerr := client.Get(ctx, wf.GetName(), metav1.GetOptions{})
		if gerr == nil && existing.GetAnnotations()[k8s.AnnotationEventID] == eventID {
			return existing, trigger.Result{Ref: ref(existing, c.namespace) + " already " + what + " by this event"}, nil
		}
	}
	return nil, trigger.Result{}, c.fail("creating", ref(wf, c.namespace), err)
}

// get reads the Workflow the source names.
func (c *call) get(ctx context.Context) (*unstructured.Unstructured, error) {
	wf, err := c.dyn.Resource(workflows).Namespace(c.namespace).Get(ctx, c.obj.GetName(), metav1.GetOptions{})
	if err != nil {
		return nil, c.fail("reading", workflowAPI+" "+kindWorkflow+" "+c.namespace+"/"+c.obj.GetName(), err)
	}
	return wf, nil
}

// patchSpec sets spec.<field> of the named Workflow to value (nil removes
// it) with a merge patch. A completed Workflow is refused, as the argo CLI
// refuses it.
func (t *workflowTrigger) patchSpec(ctx context.Context, c *call, field string, value any, what string) (*unstructured.Unstructured, trigger.Result, error) {
	wf, err := c.get(ctx)
	if err != nil {
		return nil, trigger.Result{}, err
	}
	name := ref(wf, c.namespace)
	if wf.GetLabels()[labelCompleted] == "true" {
		return nil, trigger.Result{}, trigger.Terminal(fmt.Errorf("%s %s: the Workflow has completed", c.op, name))
	}
	body, err := jsonPatch(field, value)
	if err != nil {
		return nil, trigger.Result{}, trigger.Terminal(err)
	}
	patched, err := c.dyn.Resource(workflows).Namespace(c.namespace).Patch(ctx, wf.GetName(), k8stypes.MergePatchType, body,
		metav1.PatchOptions{FieldManager: k8s.FieldManager})
	if err != nil {
		return nil, trigger.Result{}, c.fail("patching", name, err)
	}
	return patched, trigger.Result{Ref: name + " " + what}, nil
}

// errNoTemplate is the error of a submit-from source of another kind.
var errNoTemplate = errors.New("submit-from needs a WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow")
