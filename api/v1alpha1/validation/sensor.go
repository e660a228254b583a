package validation

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// dependencySet holds the sensor's dependency names, which trigger
// conditions and parameter sources refer to.
type dependencySet struct {
	known map[string]bool
	names []string // sorted, for messages
}

func (d *dependencySet) hasDependency(name string) bool { return d.known[name] }

// ValidateSensor checks a decoded Sensor: its name, dependencies (filters,
// transforms) and triggers (kind, conditions, parameters, policies), and
// reports trigger kinds and features that s does not support.
func ValidateSensor(sn *v1alpha1.Sensor, s Support) Result {
	var r report
	if sn == nil {
		r.add(required(field.NewPath("spec"), "no sensor given"))
		return r.Result
	}
	validateObjectName(&r, sn.Name, sn.GenerateName)
	spec := field.NewPath("spec")
	deps := validateDependencies(&r, spec.Child("dependencies"), sn.Spec.Dependencies)
	validateTriggers(&r, spec.Child("triggers"), sn.Spec.Triggers, deps, s)
	if sn.Spec.ErrorOnFailedRound {
		r.warn(invalid(spec.Child("errorOnFailedRound"), true, "not applied: Herald does not stop a Sensor after a failed round; each event's failed triggers are retried, then dead-lettered, while other events go on"))
	}
	return r.Result
}

// validateDependencies checks each dependency and returns the set of names.
func validateDependencies(r *report, path *field.Path, list []v1alpha1.EventDependency) *dependencySet {
	deps := &dependencySet{known: map[string]bool{}}
	if len(list) == 0 {
		r.add(required(path, "at least one dependency is required"))
		return deps
	}
	firstUse := map[string]int{}
	for i := range list {
		d := &list[i]
		p := path.Index(i)
		switch j, seen := firstUse[d.Name]; {
		case d.Name == "":
			r.add(required(p.Child("name"), "dependency name is required"))
		case seen:
			r.add(duplicate(p.Child("name"), d.Name, "dependency name %q is already used by %s", d.Name, path.Index(j)))
		default:
			firstUse[d.Name] = i
			deps.known[d.Name] = true
		}
		if d.EventSourceName == "" {
			r.add(required(p.Child("eventSourceName"), "eventSourceName is required: the EventSource that emits the event"))
		}
		if d.EventName == "" {
			r.add(required(p.Child("eventName"), "eventName is required: the event's name within its EventSource"))
		}
		validateLogicalOperator(r, p.Child("filtersLogicalOperator"), d.FiltersLogicalOperator)
		if d.Filters != nil {
			validateFilters(r, p.Child("filters"), d.Filters)
		}
		if d.Transform != nil {
			validateTransform(r, p.Child("transform"), d.Transform)
		}
	}
	deps.names = sortedKeys(deps.known)
	return deps
}

// validateTransform checks the jq program or Lua script of a transform.
func validateTransform(r *report, path *field.Path, t *v1alpha1.EventDependencyTransformer) {
	if t.JQ != "" {
		if err := checkJQ(t.JQ); err != nil {
			r.add(invalid(path.Child("jq"), t.JQ, "jq program does not compile: %v", err))
		}
	}
	if t.Script != "" {
		if err := checkLua(t.Script); err != nil {
			r.add(invalid(path.Child("script"), t.Script, "Lua script does not compile: %v", err))
		}
	}
	if t.JQ != "" && t.Script != "" {
		r.warn(invalid(path.Child("script"), t.Script, "script is ignored because jq is set (only one transform runs)"))
	}
}

// validateLogicalOperator checks an and/or operator; empty means and.
func validateLogicalOperator(r *report, path *field.Path, op v1alpha1.LogicalOperator) {
	switch op {
	case v1alpha1.AndLogicalOperator, v1alpha1.OrLogicalOperator, v1alpha1.EmptyLogicalOperator:
	default:
		r.add(invalid(path, string(op), "unknown logical operator %q (want and, or)", op))
	}
}
