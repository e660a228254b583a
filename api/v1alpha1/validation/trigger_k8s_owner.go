package validation

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// validateK8sOwnerReconcile checks a k8s trigger's Herald extensions:
// owner must name a dependency of the Sensor and hold a valid data key;
// reconcile needs an operation that writes the object (create, update,
// patch or apply), unless a trigger-level parameter sets the operation,
// which is then only known when an event comes (a delete operation then
// stops the reconcile of the object it deletes). Both are reported as
// Herald extensions that Argo Events rejects.
func validateK8sOwnerReconcile(r *report, path *field.Path, k *v1alpha1.StandardK8STrigger, deps *dependencySet, rewritten map[string]bool) {
	if o := k.Owner; o != nil {
		p := path.Child("owner")
		r.warn(invalid(p, field.OmitValueType{}, "owner is a Herald extension: Argo Events rejects this sensor"))
		switch {
		case o.DependencyName == "":
			r.add(required(p.Child("dependencyName"), "dependencyName is required: the dependency whose event carries the owner object"))
		case !deps.hasDependency(o.DependencyName):
			r.add(notFound(p.Child("dependencyName"), o.DependencyName,
				"unknown dependency %q (have %s)", o.DependencyName, quoteList(deps.names)))
		}
		if o.DataKey != "" {
			if err := checkGJSONPath(o.DataKey); err != nil {
				r.add(invalid(p.Child("dataKey"), o.DataKey, "%v", err))
			}
		}
	}
	if !k.Reconcile {
		return
	}
	p := path.Child("reconcile")
	r.warn(invalid(p, true, "reconcile is a Herald extension: Argo Events rejects this sensor"))
	if rewritten["k8s.operation"] {
		return
	}
	if k.Operation == v1alpha1.K8sOperationDelete {
		r.add(invalid(p, true, "reconcile keeps the objects a trigger writes; operation delete writes none (want create, update, patch or apply)"))
	}
}
