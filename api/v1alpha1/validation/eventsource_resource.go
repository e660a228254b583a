package validation

import (
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// validateResource checks a resource event: what to watch, which changes,
// and its label and field filters.
func validateResource(r *report, path *field.Path, res *v1alpha1.ResourceEventSource) {
	if res.Version == "" {
		r.add(required(path.Child("version"), "version is required: the API version of the watched resource, e.g. v1"))
	}
	if res.Resource == "" {
		r.add(required(path.Child("resource"), "resource is required: the plural resource name, e.g. services"))
	}
	if res.EventTypes == nil {
		r.add(required(path.Child("eventTypes"), "eventTypes is required: the changes to report (ADD, UPDATE, DELETE)"))
	}
	for i, t := range res.EventTypes {
		switch t {
		case v1alpha1.ADD, v1alpha1.UPDATE, v1alpha1.DELETE:
		default:
			r.add(invalid(path.Child("eventTypes").Index(i), string(t), "unknown event type %q (want ADD, UPDATE, DELETE)", t))
		}
	}
	if res.Filter == nil {
		return
	}
	fp := path.Child("filter")
	for i, sel := range res.Filter.Labels {
		validateLabelSelector(r, fp.Child("labels").Index(i), sel)
	}
	for i, sel := range res.Filter.Fields {
		validateFieldSelector(r, fp.Child("fields").Index(i), sel)
	}
}

// validateLabelSelector builds the label requirement the way the watch does:
// "=" when no operation is given, comma-separated values for in and notin,
// no value for exists and !.
func validateLabelSelector(r *report, path *field.Path, sel v1alpha1.Selector) {
	if sel.Key == "" {
		r.add(required(path.Child("key"), "key is required: the label to test"))
		return
	}
	op := selection.Equals
	if sel.Operation != "" {
		op = selection.Operator(sel.Operation)
	}
	var values []string
	switch {
	case (op == selection.Exists || op == selection.DoesNotExist) && sel.Value == "":
	case op == selection.In || op == selection.NotIn:
		values = strings.Split(sel.Value, ",")
	default:
		values = []string{sel.Value}
	}
	if _, err := labels.NewRequirement(sel.Key, op, values); err != nil {
		r.add(invalid(path, field.OmitValueType{}, "invalid label selector: %v", err))
	}
}

// validateFieldSelector checks a field filter: a gjson key, an equality
// operation ("" means ==) and a value that is a regular expression.
func validateFieldSelector(r *report, path *field.Path, sel v1alpha1.Selector) {
	checkReadPath(r, path.Child("key"), sel.Key, "the object field to test, e.g. metadata.name")
	switch selection.Operator(sel.Operation) {
	case "", selection.Equals, selection.DoubleEquals, selection.NotEquals:
	default:
		r.add(invalid(path.Child("operation"), sel.Operation, "unknown operation %q (want ==, =, !=)", sel.Operation))
	}
	if err := checkRegex(sel.Value); err != nil {
		r.add(invalid(path.Child("value"), sel.Value, "values are regular expressions and this one does not compile: %v", err))
	}
}
