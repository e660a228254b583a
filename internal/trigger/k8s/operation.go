package k8s

import (
	"context"
	"fmt"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

// Labels Argo puts on the objects the create operation makes, and Herald's
// annotation recording the firing that wrote an object.
const (
	LabelSensor          = "events.argoproj.io/sensor"
	LabelTrigger         = "events.argoproj.io/trigger"
	LabelActionTimestamp = "events.argoproj.io/action-timestamp"
	AnnotationEventID    = "events.herald.dev/event-id"
)

// FieldManager is the field manager of Herald's writes.
const FieldManager = "herald"

// run performs the operation on the rendered object.
func (t *k8sTrigger) run(ctx context.Context, p *prepared, tg *target, sensor *v1alpha1.Sensor, req *trigger.Request) (trigger.Result, error) {
	switch p.op {
	case v1alpha1.K8sOperationCreate:
		return t.create(ctx, tg, sensor, req)
	case v1alpha1.K8sOperationUpdate:
		return t.update(ctx, tg, req)
	case v1alpha1.K8sOperationPatch:
		return t.patch(ctx, tg, p.spec.PatchStrategy, req)
	case v1alpha1.K8sOperationDelete:
		return t.delete(ctx, tg)
	case v1alpha1.K8sOperationApply:
		return t.apply(ctx, tg, sensor, req)
	}
	return trigger.Result{}, trigger.Terminal(fmt.Errorf("unknown operation %q", p.op))
}

// create POSTs the object with Argo's labels. An object of that name already
// created by the same event is success (a redelivery); any other existing
// object is a terminal error, as in Argo.
func (t *k8sTrigger) create(ctx context.Context, tg *target, sensor *v1alpha1.Sensor, req *trigger.Request) (trigger.Result, error) {
	setArgoLabels(tg.obj, sensor.Name, t.name, time.Now())
	setEventID(tg.obj, req.EventID)
	created, err := tg.client.Create(ctx, tg.obj, metav1.CreateOptions{FieldManager: FieldManager})
	if err == nil {
		return result(tg, created, "created"), nil
	}
	if apierrors.IsAlreadyExists(err) && req.EventID != "" && tg.obj.GetName() != "" {
		existing, gerr := tg.client.Get(ctx, tg.obj.GetName(), metav1.GetOptions{})
		if gerr == nil && existing.GetAnnotations()[AnnotationEventID] == req.EventID {
			return result(tg, existing, "already created by this event"), nil
		}
	}
	return trigger.Result{}, tg.fail("creating", err)
}

// update reads the object; it creates it when missing (without Argo's
// labels, as Argo), else merges the rendered object into the live one and
// PUTs the result.
func (t *k8sTrigger) update(ctx context.Context, tg *target, req *trigger.Request) (trigger.Result, error) {
	setEventID(tg.obj, req.EventID)
	live, err := tg.client.Get(ctx, tg.obj.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return t.createPlain(ctx, tg)
	}
	if err != nil {
		return trigger.Result{}, tg.fail("reading the object to update", err)
	}
	mergeOverride(live.Object, tg.obj.Object)
	updated, err := tg.client.Update(ctx, live, metav1.UpdateOptions{FieldManager: FieldManager})
	if err != nil {
		return trigger.Result{}, tg.fail("updating", err)
	}
	return result(tg, updated, "updated"), nil
}

// patch reads the object; it creates it when missing (as Argo), else sends
// the rendered object as a patch of the given strategy (merge by default).
func (t *k8sTrigger) patch(ctx context.Context, tg *target, strategy k8stypes.PatchType, req *trigger.Request) (trigger.Result, error) {
	if strategy == "" {
		strategy = k8stypes.MergePatchType
	}
	if strategy != k8stypes.JSONPatchType {
		setEventID(tg.obj, req.EventID)
	}
	_, err := tg.client.Get(ctx, tg.obj.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		setEventID(tg.obj, req.EventID)
		return t.createPlain(ctx, tg)
	}
	if err != nil {
		return trigger.Result{}, tg.fail("reading the object to patch", err)
	}
	body, err := tg.obj.MarshalJSON()
	if err != nil {
		return trigger.Result{}, trigger.Terminal(fmt.Errorf("encoding the patch of %s: %w", tg.ref(), err))
	}
	opts := metav1.PatchOptions{FieldManager: FieldManager}
	if strategy == k8stypes.ApplyPatchType {
		force := true
		opts.Force = &force
	}
	patched, err := tg.client.Patch(ctx, tg.obj.GetName(), strategy, body, opts)
	if err != nil {
		return trigger.Result{}, tg.fail("patching", err)
	}
	return result(tg, patched, "patched"), nil
}

// delete reads the object and deletes it; a missing object is success.
func (t *k8sTrigger) delete(ctx context.Context, tg *target) (trigger.Result, error) {
	_, err := tg.client.Get(ctx, tg.obj.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return trigger.Result{Ref: tg.ref() + " absent, nothing to delete"}, nil
	}
	if err != nil {
		return trigger.Result{}, tg.fail("reading the object to delete", err)
	}
	err = tg.client.Delete(ctx, tg.obj.GetName(), metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return trigger.Result{Ref: tg.ref() + " absent, nothing to delete"}, nil
	}
	if err != nil {
		return trigger.Result{}, tg.fail("deleting", err)
	}
	return trigger.Result{Ref: tg.ref() + " deleted"}, nil
}

// apply server-side applies the object as field manager herald, forcing
// conflicts. It carries the sensor and trigger labels but no timestamp, so
// that applying the same firing twice changes nothing.
func (t *k8sTrigger) apply(ctx context.Context, tg *target, sensor *v1alpha1.Sensor, req *trigger.Request) (trigger.Result, error) {
	setArgoLabels(tg.obj, sensor.Name, t.name, time.Time{})
	setEventID(tg.obj, req.EventID)
	body, err := tg.obj.MarshalJSON()
	if err != nil {
		return trigger.Result{}, trigger.Terminal(fmt.Errorf("encoding %s: %w", tg.ref(), err))
	}
	force := true
	applied, err := tg.client.Patch(ctx, tg.obj.GetName(), k8stypes.ApplyPatchType, body,
		metav1.PatchOptions{FieldManager: FieldManager, Force: &force})
	if err != nil {
		return trigger.Result{}, tg.fail("applying", err)
	}
	return result(tg, applied, "applied"), nil
}

// createPlain POSTs the object as it is (update and patch of a missing object).
func (t *k8sTrigger) createPlain(ctx context.Context, tg *target) (trigger.Result, error) {
	created, err := tg.client.Create(ctx, tg.obj, metav1.CreateOptions{FieldManager: FieldManager})
	if err != nil {
		return trigger.Result{}, tg.fail("creating", err)
	}
	return result(tg, created, "created"), nil
}

// setArgoLabels adds Argo's labels naming the Sensor and trigger, and the
// action timestamp unless at is zero (apply leaves it out, so that a
// repeated apply changes nothing).
func setArgoLabels(obj *unstructured.Unstructured, sensorName, triggerName string, at time.Time) {
	labels := metadataMap(obj, "labels")
	labels[LabelSensor] = sensorName
	labels[LabelTrigger] = triggerName
	if !at.IsZero() {
		labels[LabelActionTimestamp] = strconv.FormatInt(at.UnixMilli(), 10)
	}
}

// setEventID records the firing on obj.
func setEventID(obj *unstructured.Unstructured, id string) {
	if id == "" {
		return
	}
	metadataMap(obj, "annotations")[AnnotationEventID] = id
}

// metadataMap returns obj's metadata.<field> map (labels, annotations) to
// be written in place, creating it (and metadata) when missing or not a
// map. obj is the trigger's own copy: unlike GetLabels and SetLabels, this
// copies nothing.
func metadataMap(obj *unstructured.Unstructured, field string) map[string]any {
	if obj.Object == nil {
		obj.Object = map[string]any{}
	}
	meta, ok := obj.Object["metadata"].(map[string]any)
	if !ok {
		meta = map[string]any{}
		obj.Object["metadata"] = meta
	}
	m, ok := meta[field].(map[string]any)
	if !ok {
		m = map[string]any{}
		meta[field] = m
	}
	return m
}

// result names the object written (its server-given name when the object
// used generateName) and what was done.
func result(tg *target, written *unstructured.Unstructured, what string) trigger.Result {
	if written != nil && written.GetName() != "" {
		tg.obj.SetName(written.GetName())
	}
	tg.written = written
	return trigger.Result{Ref: tg.ref() + " " + what}
}
