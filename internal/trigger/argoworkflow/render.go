package argoworkflow

import (
	"context"
	"fmt"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/k8s"
)

var _ trigger.Renderer = (*workflowTrigger)(nil)

// Render returns the object the operation starts from: for submit the
// Workflow as Execute would create it (labels and event id included), for
// the other operations the object the source names. Nothing is sent, with
// or without opts.Server; without it, a url or configmap source is not read
// (said in Notes).
func (t *workflowTrigger) Render(ctx context.Context, req *trigger.Request, opts trigger.RenderOptions) (trigger.Rendered, error) {
	p, sensor, err := t.forRequest(req)
	if err != nil {
		return trigger.Rendered{}, err
	}
	out := trigger.Rendered{
		Operation:  string(p.op),
		Parameters: trigger.ResolveParams("argoWorkflow.parameters", p.spec.Parameters, req.Events),
	}
	if src := p.spec.Source; !opts.Server && (src.URL != nil || src.Configmap != nil) {
		out.Notes = append(out.Notes, "source.url and source.configmap are read only when rendering with the server (--server)")
		return out, nil
	}
	obj, err := p.loader.Object(ctx, req.Events, sensor.Namespace)
	if err != nil {
		return out, err
	}
	ns := obj.GetNamespace()
	if ns == "" {
		ns = sensor.Namespace
		obj.SetNamespace(ns)
	}
	if p.op == v1alpha1.ArgoWorkflowOpSubmit {
		labels := obj.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[k8s.LabelSensor], labels[k8s.LabelTrigger] = sensor.Name, t.name
		labels[k8s.LabelActionTimestamp] = fmt.Sprint(opts.Time().UnixMilli())
		obj.SetLabels(labels)
		if req.EventID != "" {
			ann := obj.GetAnnotations()
			if ann == nil {
				ann = map[string]string{}
			}
			ann[k8s.AnnotationEventID] = req.EventID
			obj.SetAnnotations(ann)
		}
	}
	out.Target = ref(obj, ns)
	if out.Object, err = obj.MarshalJSON(); err != nil {
		return out, fmt.Errorf("encoding %s: %w", out.Target, err)
	}
	out.NoServerDryRun(opts, "argoWorkflow", "sent")
	return out, nil
}

// forRequest returns what a firing acts with: the trigger as prepared, or
// as trigger-level parameters rewrote it, and the Sensor.
func (t *workflowTrigger) forRequest(req *trigger.Request) (*prepared, *v1alpha1.Sensor, error) {
	p := t.prepared
	if req.Trigger != nil && req.Trigger.Template != nil && req.Trigger.Template.ArgoWorkflow != nil &&
		req.Trigger.Template.ArgoWorkflow != p.spec {
		var err error
		if p, err = prepare(t.env, req.Trigger.Template.ArgoWorkflow); err != nil {
			return nil, nil, trigger.Terminal(err)
		}
	}
	sensor := t.sensor
	if req.Sensor != nil {
		sensor = req.Sensor
	}
	return p, sensor, nil
}
