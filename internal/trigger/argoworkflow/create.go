package argoworkflow

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/herald-dev/herald/internal/trigger"
)

// submitFrom creates a Workflow from the template the source names, as
// `argo submit --from` does: a WorkflowTemplate or ClusterWorkflowTemplate
// is referenced by workflowTemplateRef; a CronWorkflow is read and its
// workflowSpec (with its workflowMetadata) copied.
func (t *workflowTrigger) submitFrom(ctx context.Context, c *call, req *trigger.Request) (*unstructured.Unstructured, trigger.Result, error) {
	src := c.obj
	if src.GetAPIVersion() != workflowAPI {
		return nil, trigger.Result{}, trigger.Terminal(fmt.Errorf("%w, not a %s %s", errNoTemplate, src.GetAPIVersion(), src.GetKind()))
	}
	name := src.GetName()
	wf := newWorkflow(name + "-")
	switch strings.ToLower(src.GetKind()) {
	case "workflowtemplate":
		wf.Object["spec"] = map[string]any{"workflowTemplateRef": map[string]any{"name": name}}
		wf.SetLabels(map[string]string{labelWorkflowTemplate: name})
	case "clusterworkflowtemplate":
		wf.Object["spec"] = map[string]any{"workflowTemplateRef": map[string]any{"name": name, "clusterScope": true}}
		wf.SetLabels(map[string]string{labelClusterTemplate: name})
	case "cronworkflow":
		what := ref(src, c.namespace)
		cron, err := c.dyn.Resource(cronWorkflows).Namespace(c.namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, trigger.Result{}, c.fail("reading", what, err)
		}
		spec, ok, _ := unstructured.NestedMap(cron.Object, "spec", "workflowSpec")
		if !ok {
			return nil, trigger.Result{}, trigger.Terminal(fmt.Errorf("submit-from %s: it has no spec.workflowSpec", what))
		}
		wf.Object["spec"] = spec
		labels := map[string]string{}
		if meta, ok, _ := unstructured.NestedMap(cron.Object, "spec", "workflowMetadata"); ok {
			copyStrings(labels, meta["labels"])
			ann := map[string]string{}
			copyStrings(ann, meta["annotations"])
			if len(ann) > 0 {
				wf.SetAnnotations(ann)
			}
		}
		labels[labelCronWorkflow] = name
		wf.SetLabels(labels)
	default:
		return nil, trigger.Result{}, trigger.Terminal(fmt.Errorf("%w, not a %s", errNoTemplate, src.GetKind()))
	}
	return c.create(ctx, wf, req.EventID, "submitted from "+src.GetKind()+" "+name)
}

// resubmit creates a new Workflow from the spec of the named one, as `argo
// resubmit` does without --memoized: the name is generated (from the
// workflowTemplateRef's name, the old generateName, or the old name), the
// labels and annotations are copied except Argo Workflows' own, and a label
// records the Workflow resubmitted.
func (t *workflowTrigger) resubmit(ctx context.Context, c *call, req *trigger.Request) (*unstructured.Unstructured, trigger.Result, error) {
	old, err := c.get(ctx)
	if err != nil {
		return nil, trigger.Result{}, err
	}
	prefix := old.GetName() + "-"
	if tmpl, ok, _ := unstructured.NestedString(old.Object, "spec", "workflowTemplateRef", "name"); ok && tmpl != "" {
		prefix = tmpl + "-"
	} else if g := old.GetGenerateName(); g != "" {
		prefix = g
	}
	wf := newWorkflow(prefix)
	spec, _, _ := unstructured.NestedMap(old.Object, "spec")
	if spec == nil {
		spec = map[string]any{}
	}
	delete(spec, "shutdown")
	delete(spec, "suspend")
	wf.Object["spec"] = spec
	labels := map[string]string{}
	for k, v := range old.GetLabels() {
		if !strings.HasPrefix(k, labelPrefixWorkflows) {
			labels[k] = v
		}
	}
	labels[labelResubmittedFrom] = old.GetName()
	wf.SetLabels(labels)
	ann := map[string]string{}
	for k, v := range old.GetAnnotations() {
		if !strings.HasPrefix(k, labelPrefixWorkflows) && k != "kubectl.kubernetes.io/last-applied-configuration" {
			ann[k] = v
		}
	}
	if len(ann) > 0 {
		wf.SetAnnotations(ann)
	}
	return c.create(ctx, wf, req.EventID, "resubmitted from "+old.GetName())
}

// newWorkflow returns an empty Workflow whose name is generated from prefix.
func newWorkflow(prefix string) *unstructured.Unstructured {
	wf := &unstructured.Unstructured{Object: map[string]any{}}
	wf.SetAPIVersion(workflowAPI)
	wf.SetKind(kindWorkflow)
	wf.SetGenerateName(prefix)
	return wf
}

// copyStrings copies the string values of m (a decoded JSON object) into dst.
func copyStrings(dst map[string]string, m any) {
	obj, _ := m.(map[string]any)
	for k, v := range obj {
		if s, ok := v.(string); ok {
			dst[k] = s
		}
	}
}

// jsonPatch returns the merge patch setting spec.<field> to value.
func jsonPatch(field string, value any) ([]byte, error) {
	b, err := json.Marshal(map[string]any{"spec": map[string]any{field: value}})
	if err != nil {
		return nil, fmt.Errorf("encoding the patch of spec.%s: %w", field, err)
	}
	return b, nil
}
