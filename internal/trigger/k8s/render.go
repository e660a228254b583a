package k8s

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

var _ trigger.Renderer = (*k8sTrigger)(nil)

// dryRunAll is the dryRun value that makes the API server check a write
// through every stage (admission, validation, defaulting) without storing it.
var dryRunAll = []string{metav1.DryRunAll}

// clusterScoped are built-in kinds without a namespace. Without a cluster
// Render cannot ask discovery for a kind's scope; other kinds are taken as
// namespaced.
var clusterScoped = []string{
	"Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
	"CustomResourceDefinition", "StorageClass", "PriorityClass", "IngressClass",
	"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService",
}

// Render goes through the steps of Execute up to the write: it reads the
// source, applies the k8s parameters, sets the namespace, the owner and
// what the operation adds (labels, the event-id annotation) and returns the
// object. Without opts.Server nothing leaves the process: a url or
// configmap source cannot be read and liveObject is not honoured (said in
// Notes). With opts.Server the operation is sent with dryRun=All and the
// API server's answer is in Rendered.Server (its refusal there too, not as
// an error).
func (t *k8sTrigger) Render(ctx context.Context, req *trigger.Request, opts trigger.RenderOptions) (trigger.Rendered, error) {
	p, sensor, err := t.forRequest(req)
	if err != nil {
		return trigger.Rendered{}, err
	}
	out := trigger.Rendered{
		Operation:  string(p.op),
		Parameters: trigger.ResolveParams("k8s.parameters", p.spec.Parameters, req.Events),
	}
	obj, tg, notes, err := t.build(ctx, p, sensor, req, opts)
	out.Notes = notes
	if err != nil {
		return out, err
	}
	out.Target = tg.ref()
	if out.Object, err = obj.MarshalJSON(); err != nil {
		return out, fmt.Errorf("encoding %s: %w", tg.ref(), err)
	}
	if opts.Server {
		out.Server = t.serverCheck(ctx, p, tg)
	}
	return out, nil
}

// Object returns the object one firing would write, built as Render
// builds it without the server, without Render's explanation and encoding.
func (t *k8sTrigger) Object(ctx context.Context, req *trigger.Request) (*unstructured.Unstructured, error) {
	p, sensor, err := t.forRequest(req)
	if err != nil {
		return nil, err
	}
	obj, _, _, err := t.build(ctx, p, sensor, req, trigger.RenderOptions{})
	return obj, err
}

// forRequest returns what a firing acts with: the trigger as prepared, or
// as trigger-level parameters rewrote it, and the Sensor.
func (t *k8sTrigger) forRequest(req *trigger.Request) (*prepared, *v1alpha1.Sensor, error) {
	p := t.prepared
	if req.Trigger != nil && req.Trigger.Template != nil && req.Trigger.Template.K8s != nil && req.Trigger.Template.K8s != p.spec {
		var err error
		if p, err = prepare(req.Trigger.Template.K8s); err != nil {
			return nil, nil, err
		}
	}
	sensor := t.sensor
	if req.Sensor != nil {
		sensor = req.Sensor
	}
	return p, sensor, nil
}

// build renders the object of one firing: the source with the parameters,
// the namespace, the owner and what the operation adds; notes say what it
// could not know without the server.
func (t *k8sTrigger) build(ctx context.Context, p *prepared, sensor *v1alpha1.Sensor, req *trigger.Request, opts trigger.RenderOptions) (*unstructured.Unstructured, *target, []string, error) {
	var notes []string
	live := p.spec.LiveObject && p.op == v1alpha1.K8sOperationUpdate
	if live && !opts.Server {
		notes = append(notes, "liveObject: the object is read from the cluster when the trigger fires; shown here from the source")
	}
	obj, err := p.object(req.Events, func() (*unstructured.Unstructured, error) {
		obj, err := t.renderSource(ctx, p, sensor.Namespace, opts)
		if err == nil && live && opts.Server {
			obj, err = t.live(ctx, obj)
		}
		return obj, err
	})
	if err != nil {
		return nil, nil, notes, err
	}
	var tg *target
	if opts.Server {
		if tg, err = t.target(obj, sensor.Namespace); err != nil {
			return nil, nil, notes, err
		}
	} else {
		if note := defaultNamespace(obj, sensor.Namespace); note != "" {
			notes = append(notes, note)
		}
		tg = &target{obj: obj}
	}
	if p.op != v1alpha1.K8sOperationDelete {
		if err := applyOwner(obj, p.spec.Owner, req.Events); err != nil {
			return nil, nil, notes, err
		}
	}
	decorate(obj, p.spec, sensor.Name, t.name, req.EventID, opts)
	return obj, tg, notes, nil
}

// renderSource is fetch without a server: a url or configmap source needs
// one.
func (t *k8sTrigger) renderSource(ctx context.Context, p *prepared, sensorNamespace string, opts trigger.RenderOptions) (*unstructured.Unstructured, error) {
	if src := p.spec.Source; !opts.Server && p.static == nil && p.staticErr == nil && src != nil {
		switch {
		case src.URL != nil:
			return nil, errors.New("source.url is read only when rendering with the server (--server)")
		case src.Configmap != nil:
			return nil, errors.New("source.configmap is read only when rendering with the server (--server)")
		}
	}
	return t.fetch(ctx, p, sensorNamespace)
}

// defaultNamespace gives obj the Sensor's namespace when it has none and
// its kind is not a known cluster-scoped one, as target does with the
// server's discovery information, and says so.
func defaultNamespace(obj *unstructured.Unstructured, sensorNamespace string) string {
	if obj.GetNamespace() != "" {
		return ""
	}
	if slices.Contains(clusterScoped, obj.GetKind()) {
		return ""
	}
	obj.SetNamespace(sensorNamespace)
	return "namespace: the Sensor's (" + sensorNamespace + "), assuming " + obj.GetKind() + " is namespaced"
}

// decorate adds to obj what the operation adds before writing: Argo's
// labels on create (with the action timestamp) and apply (without), and
// Herald's event-id annotation on every write but a JSON patch.
func decorate(obj *unstructured.Unstructured, spec *v1alpha1.StandardK8STrigger, sensorName, triggerName, eventID string, opts trigger.RenderOptions) {
	op := spec.Operation
	if op == "" {
		op = v1alpha1.K8sOperationCreate
	}
	switch op {
	case v1alpha1.K8sOperationCreate:
		setArgoLabels(obj, sensorName, triggerName, opts.Time())
	case v1alpha1.K8sOperationApply:
		setArgoLabels(obj, sensorName, triggerName, time.Time{})
	}
	if op != v1alpha1.K8sOperationDelete && (op != v1alpha1.K8sOperationPatch || spec.PatchStrategy != k8stypes.JSONPatchType) {
		setEventID(obj, eventID)
	}
}

// serverCheck sends the operation with dryRun=All, reading the object first
// as Execute does.
func (t *k8sTrigger) serverCheck(ctx context.Context, p *prepared, tg *target) *trigger.ServerCheck {
	name := tg.obj.GetName()
	var (
		got     *unstructured.Unstructured
		err     error
		outcome string
	)
	switch p.op {
	case v1alpha1.K8sOperationCreate:
		got, err = tg.client.Create(ctx, tg.obj, metav1.CreateOptions{FieldManager: FieldManager, DryRun: dryRunAll})
		outcome = "would create"
	case v1alpha1.K8sOperationApply:
		got, err = patchDryRun(ctx, tg, k8stypes.ApplyPatchType)
		outcome = "would apply"
	case v1alpha1.K8sOperationUpdate, v1alpha1.K8sOperationPatch, v1alpha1.K8sOperationDelete:
		var live *unstructured.Unstructured
		live, err = tg.client.Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err) && p.op == v1alpha1.K8sOperationDelete:
			return &trigger.ServerCheck{Outcome: "absent, nothing to delete"}
		case apierrors.IsNotFound(err):
			got, err = tg.client.Create(ctx, tg.obj, metav1.CreateOptions{FieldManager: FieldManager, DryRun: dryRunAll})
			outcome = "absent: would create"
		case err != nil:
		case p.op == v1alpha1.K8sOperationUpdate:
			mergeOverride(live.Object, tg.obj.Object)
			got, err = tg.client.Update(ctx, live, metav1.UpdateOptions{FieldManager: FieldManager, DryRun: dryRunAll})
			outcome = "would update"
		case p.op == v1alpha1.K8sOperationPatch:
			got, err = patchDryRun(ctx, tg, p.spec.PatchStrategy)
			outcome = "would patch"
		default:
			err = tg.client.Delete(ctx, name, metav1.DeleteOptions{DryRun: dryRunAll})
			outcome = "would delete"
		}
	}
	if err != nil {
		return &trigger.ServerCheck{Error: tg.fail("dry-run", err).Error()}
	}
	check := &trigger.ServerCheck{Outcome: outcome}
	if got != nil {
		shown := got.DeepCopy()
		unstructured.RemoveNestedField(shown.Object, "metadata", "managedFields")
		check.Object, _ = json.Marshal(shown.Object)
	}
	return check
}

func patchDryRun(ctx context.Context, tg *target, strategy k8stypes.PatchType) (*unstructured.Unstructured, error) {
	if strategy == "" {
		strategy = k8stypes.MergePatchType
	}
	body, err := tg.obj.MarshalJSON()
	if err != nil {
		return nil, err
	}
	opts := metav1.PatchOptions{FieldManager: FieldManager, DryRun: dryRunAll}
	if strategy == k8stypes.ApplyPatchType {
		force := true
		opts.Force = &force
	}
	return tg.client.Patch(ctx, tg.obj.GetName(), strategy, body, opts)
}
