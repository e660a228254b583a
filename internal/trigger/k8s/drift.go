package k8s

import (
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// record is what reconcile keeps about one object a trigger wrote: the
// object as the trigger rendered it and the fields the write left on the
// server. It is stored as JSON so that a restart resumes the watch.
type record struct {
	// Trigger is the name of the trigger that wrote the object.
	Trigger string `json:"trigger"`
	// Identity is who the trigger acts as ("" is Herald's own identity).
	Identity string `json:"identity,omitempty"`
	// Group, Version and Resource name the object's resource.
	Group    string `json:"group,omitempty"`
	Version  string `json:"version"`
	Resource string `json:"resource"`
	// Apply is true when the trigger's operation was apply: a deleted
	// object is then server-side applied again rather than created.
	Apply bool `json:"apply,omitempty"`
	// Desired is the rendered object (labels, annotations and owner
	// reference included) without server-managed metadata and status.
	Desired map[string]any `json:"desired"`
	// Written holds, for each top-level field of Desired other than
	// apiVersion, kind and metadata, its value in the API server's answer
	// to the write (server defaults included).
	Written map[string]any `json:"written"`
}

// serverMetadata are the metadata fields the API server manages.
var serverMetadata = []string{
	"uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
	"deletionGracePeriodSeconds", "managedFields", "selfLink",
}

// ignoredLabels and ignoredAnnotations are the marks Herald puts on what it
// writes; a change to them is not drift.
var (
	ignoredLabels      = map[string]bool{LabelSensor: true, LabelTrigger: true, LabelActionTimestamp: true}
	ignoredAnnotations = map[string]bool{AnnotationEventID: true}
)

// newRecord builds the record of obj (the rendered object as sent) after
// the API server answered written.
func newRecord(obj, written *unstructured.Unstructured) *record {
	desired := obj.DeepCopy().Object
	delete(desired, "status")
	if md, ok := desired["metadata"].(map[string]any); ok {
		for _, f := range serverMetadata {
			delete(md, f)
		}
		if written != nil {
			// A generateName object is kept under the name it got.
			md["name"] = written.GetName()
			delete(md, "generateName")
		}
	}
	rec := &record{Desired: desired, Written: map[string]any{}}
	rec.setWritten(written)
	return rec
}

// setWritten records the server's answer to a write of the desired object.
func (r *record) setWritten(written *unstructured.Unstructured) {
	r.Written = map[string]any{}
	for k := range r.Desired {
		if !specField(k) {
			continue
		}
		v, ok := written.Object[k]
		if !ok {
			v = r.Desired[k]
		}
		r.Written[k] = runtime.DeepCopyJSONValue(v)
	}
}

// specField reports whether a top-level field is content that reconcile
// keeps (spec, data, rules, ...), as opposed to identity, metadata and
// status.
func specField(k string) bool {
	return k != "apiVersion" && k != "kind" && k != "metadata" && k != "status"
}

// drifted reports whether live no longer holds what the trigger wrote:
// a content field differs from the server's answer to the write (an edit,
// or a field someone added inside it), or a label, annotation or owner
// reference the trigger set is missing or changed. Other labels and
// annotations, server-managed metadata and status are not looked at.
func (r *record) drifted(live *unstructured.Unstructured) bool {
	for k, want := range r.Written {
		if !equalJSON(live.Object[k], want) {
			return true
		}
	}
	desired := &unstructured.Unstructured{Object: r.Desired}
	if !hasAll(live.GetLabels(), desired.GetLabels(), ignoredLabels) ||
		!hasAll(live.GetAnnotations(), desired.GetAnnotations(), ignoredAnnotations) {
		return true
	}
	liveRefs := live.GetOwnerReferences()
	for _, want := range desired.GetOwnerReferences() {
		if !hasOwnerRef(liveRefs, want) {
			return true
		}
	}
	return false
}

// repaired returns live with the trigger's content fields put back whole
// and its labels, annotations and owner references merged in.
func (r *record) repaired(live *unstructured.Unstructured) *unstructured.Unstructured {
	out := live.DeepCopy()
	for k, v := range r.Written {
		out.Object[k] = runtime.DeepCopyJSONValue(v)
	}
	desired := &unstructured.Unstructured{Object: r.Desired}
	out.SetLabels(merged(out.GetLabels(), desired.GetLabels()))
	out.SetAnnotations(merged(out.GetAnnotations(), desired.GetAnnotations()))
	refs := out.GetOwnerReferences()
	for _, want := range desired.GetOwnerReferences() {
		if hasOwnerRef(refs, want) {
			continue
		}
		kept := refs[:0]
		for _, ref := range refs {
			if ref.UID == want.UID || (ref.Kind == want.Kind && ref.Name == want.Name) {
				continue
			}
			if want.Controller != nil && *want.Controller && ref.Controller != nil && *ref.Controller {
				ref.Controller = nil
			}
			kept = append(kept, ref)
		}
		refs = append(kept, want)
	}
	out.SetOwnerReferences(refs)
	return out
}

// desiredObject returns a copy of the desired object, to create it again.
func (r *record) desiredObject() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: runtime.DeepCopyJSON(r.Desired)}
}

// ownerRef returns the controller owner reference the trigger set, if any.
func (r *record) ownerRef() *metav1.OwnerReference {
	for _, ref := range (&unstructured.Unstructured{Object: r.Desired}).GetOwnerReferences() {
		if ref.Controller != nil && *ref.Controller {
			return &ref
		}
	}
	return nil
}

func hasAll(have, want map[string]string, ignored map[string]bool) bool {
	for k, v := range want {
		if ignored[k] {
			continue
		}
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func hasOwnerRef(refs []metav1.OwnerReference, want metav1.OwnerReference) bool {
	for _, ref := range refs {
		if ref.UID == want.UID && ref.Kind == want.Kind && ref.Name == want.Name &&
			(want.Controller == nil || !*want.Controller || (ref.Controller != nil && *ref.Controller)) {
			return true
		}
	}
	return false
}

func merged(have, want map[string]string) map[string]string {
	if len(want) == 0 {
		return have
	}
	out := maps.Clone(have)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, want)
	return out
}

// equalJSON compares two decoded JSON values, numbers by value whatever
// their Go type (a value read back from storage may be float64 where the
// API server's decoder gave int64).
func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equalJSON(xv, yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && fa == fb
	}
	return a == b
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case float64:
		return n, true
	case float32:
		return float64(n), true
	}
	return 0, false
}
