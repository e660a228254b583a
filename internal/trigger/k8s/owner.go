package k8s

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trigger"
)

// defaultOwnerKey is where a resource event carries its object.
const defaultOwnerKey = "body"

// applyOwner makes the object named by the owner option the controller
// owner of obj: it reads the owner from the dependency's event data and
// replaces any ownerReference of obj to the same kind and name (an earlier
// owner of that name) with one carrying the owner's uid and controller:
// true. obj's namespace must be final. A nil owner does nothing. Errors are
// terminal: the same event would fail again.
func applyOwner(obj *unstructured.Unstructured, owner *v1alpha1.K8SOwner, events map[string]*event.Event) error {
	if owner == nil {
		return nil
	}
	ref, ownerNS, err := ownerOf(owner, events)
	if err != nil {
		return trigger.Terminal(fmt.Errorf("setting the owner of %s: %w", describe(obj), err))
	}
	if ownerNS != "" && ownerNS != obj.GetNamespace() {
		where := "cluster-scoped"
		if obj.GetNamespace() != "" {
			where = "in namespace " + obj.GetNamespace()
		}
		return trigger.Terminal(fmt.Errorf("setting the owner of %s: owner %s %s is in namespace %s but the object is %s (an owner must be in the object's namespace or cluster-scoped)",
			describe(obj), ref.Kind, ref.Name, ownerNS, where))
	}
	refs := obj.GetOwnerReferences()
	kept := refs[:0]
	for _, r := range refs {
		if r.UID == ref.UID || (r.Kind == ref.Kind && r.Name == ref.Name && sameGroup(r.APIVersion, ref.APIVersion)) {
			continue
		}
		if r.Controller != nil && *r.Controller {
			r.Controller = nil // an object has one controller: the owner named here
		}
		kept = append(kept, r)
	}
	obj.SetOwnerReferences(append(kept, ref))
	return nil
}

// ownerOf reads the owner object from the event data and returns the
// reference to it and its namespace.
func ownerOf(owner *v1alpha1.K8SOwner, events map[string]*event.Event) (metav1.OwnerReference, string, error) {
	key := owner.DataKey
	if key == "" {
		key = defaultOwnerKey
	}
	ev := events[owner.DependencyName]
	if ev == nil {
		return metav1.OwnerReference{}, "", fmt.Errorf("owner: no event of dependency %q", owner.DependencyName)
	}
	if !gjson.ValidBytes(ev.Data) {
		return metav1.OwnerReference{}, "", fmt.Errorf("owner: the event of dependency %q has no JSON data", owner.DependencyName)
	}
	o := gjson.GetBytes(ev.Data, key)
	if !o.IsObject() {
		return metav1.OwnerReference{}, "", fmt.Errorf("owner: %q in the event of dependency %q is not an object", key, owner.DependencyName)
	}
	var missing []string
	field := func(path string) string {
		v := o.Get(path)
		if v.Type != gjson.String || v.Str == "" {
			missing = append(missing, path)
		}
		return v.Str
	}
	ref := metav1.OwnerReference{
		APIVersion: field("apiVersion"),
		Kind:       field("kind"),
		Name:       field("metadata.name"),
		UID:        k8stypes.UID(field("metadata.uid")),
		Controller: new(true),
	}
	if len(missing) > 0 {
		return metav1.OwnerReference{}, "", fmt.Errorf("owner: the object at %q in the event of dependency %q has no %v", key, owner.DependencyName, missing)
	}
	return ref, o.Get("metadata.namespace").Str, nil
}

// sameGroup reports whether two apiVersions are of the same API group.
func sameGroup(a, b string) bool {
	ga, _, okA := strings.Cut(a, "/")
	gb, _, okB := strings.Cut(b, "/")
	if !okA {
		ga = ""
	}
	if !okB {
		gb = ""
	}
	return ga == gb
}

// describe names obj for messages, e.g. "networking.k8s.io/v1 Ingress playground/x".
func describe(obj *unstructured.Unstructured) string {
	return (&target{obj: obj}).ref()
}
