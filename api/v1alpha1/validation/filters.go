package validation

import (
	"strconv"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/sensor/filter"
)

// validateFilters checks the filters of one dependency.
func validateFilters(r *report, path *field.Path, f *v1alpha1.EventDependencyFilter) {
	validateLogicalOperator(r, path.Child("exprLogicalOperator"), f.ExprLogicalOperator)
	validateLogicalOperator(r, path.Child("dataLogicalOperator"), f.DataLogicalOperator)
	for i := range f.Exprs {
		validateExprFilter(r, path.Child("exprs").Index(i), &f.Exprs[i])
	}
	for i := range f.Data {
		validateDataFilter(r, path.Child("data").Index(i), &f.Data[i])
	}
	if f.Context != nil {
		validateContextFilter(r, path.Child("context"), f.Context)
	}
	if f.Time != nil {
		validateTimeFilter(r, path.Child("time"), f.Time)
	}
	if f.Script != "" {
		if err := checkLua(f.Script); err != nil {
			r.add(invalid(path.Child("script"), f.Script, "Lua script does not compile: %v", err))
		}
	}
}

// validateExprFilter checks an expression filter's fields.
//
// validateExprFilter checks one exprs filter; the expression is parsed with
// the same library the Sensor evaluates it with (govaluate, as Argo).
func validateExprFilter(r *report, path *field.Path, e *v1alpha1.ExprFilter) {
	if e.Expr == "" {
		r.add(required(path.Child("expr"), "expr is required: a boolean expression over the fields"))
	} else if err := filter.CheckExpr(e.Expr); err != nil {
		r.add(invalid(path.Child("expr"), e.Expr, "expression does not parse: %v", err))
	}
	if len(e.Fields) == 0 {
		r.add(required(path.Child("fields"), "at least one field is required: the names expr uses and where they are read from"))
	}
	for i, fl := range e.Fields {
		p := path.Child("fields").Index(i)
		if fl.Name == "" {
			r.add(required(p.Child("name"), "field name is required: the name expr uses for the value"))
		}
		checkReadPath(r, p.Child("path"), fl.Path, "the event data path the value is read from")
	}
}

// checkReadPath reports an empty or malformed gjson path; what says what the
// path is for.
func checkReadPath(r *report, path *field.Path, value, what string) {
	if value == "" {
		r.add(required(path, "path is required: %s", what))
		return
	}
	if err := checkGJSONPath(value); err != nil {
		r.add(invalid(path, value, "malformed path: %v", err))
	}
}

// comparators lists the data filter comparators Argo knows; "" means "=".
var comparators = map[v1alpha1.Comparator]bool{
	v1alpha1.ComparatorGreaterThanOrEqualTo: true,
	v1alpha1.ComparatorGreaterThan:          true,
	v1alpha1.ComparatorEqualTo:              true,
	v1alpha1.ComparatorNotEqualTo:           true,
	v1alpha1.ComparatorLessThan:             true,
	v1alpha1.ComparatorLessThanOrEqualTo:    true,
	v1alpha1.ComparatorEmpty:                true,
}

// validateDataFilter checks a data filter: path, type, values as the type
// reads them, comparator and template.
func validateDataFilter(r *report, path *field.Path, d *v1alpha1.DataFilter) {
	checkReadPath(r, path.Child("path"), d.Path, "the event data path the value is read from")
	if !comparators[d.Comparator] {
		r.add(invalid(path.Child("comparator"), string(d.Comparator), "unknown comparator %q (want =, !=, >, >=, <, <=)", d.Comparator))
	}
	if d.Template != "" {
		if err := checkTemplate(d.Template); err != nil {
			r.add(invalid(path.Child("template"), d.Template, "template does not parse: %v", err))
		}
	}
	if len(d.Value) == 0 {
		r.add(required(path.Child("value"), "at least one value is required"))
	}
	switch d.Type {
	case "":
		r.add(required(path.Child("type"), "type is required (want string, number, bool)"))
	case v1alpha1.JSONTypeString, v1alpha1.JSONTypeNumber, v1alpha1.JSONTypeBool:
		validateDataValues(r, path.Child("value"), d.Type, d.Value)
		validateComparatorForType(r, path.Child("comparator"), d.Type, d.Comparator)
	default:
		r.add(invalid(path.Child("type"), string(d.Type), "unknown type %q (want string, number, bool)", d.Type))
	}
}

// validateDataValues checks that each value reads as the filter type reads
// it: a regular expression for string, a number, or a boolean.
func validateDataValues(r *report, path *field.Path, typ v1alpha1.JSONType, values []string) {
	for i, v := range values {
		p := path.Index(i)
		if v == "" {
			r.add(required(p, "value must not be empty"))
			continue
		}
		switch typ {
		case v1alpha1.JSONTypeString:
			if err := checkRegex(v); err != nil {
				r.add(invalid(p, v, "string values are regular expressions and this one does not compile: %v", err))
			}
		case v1alpha1.JSONTypeNumber:
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				r.add(invalid(p, v, "%q is not a number", v))
			}
		case v1alpha1.JSONTypeBool:
			if _, err := strconv.ParseBool(v); err != nil {
				r.add(invalid(p, v, "%q is not a boolean (want true or false)", v))
			}
		}
	}
}

// validateComparatorForType warns about a comparator the type ignores.
func validateComparatorForType(r *report, path *field.Path, typ v1alpha1.JSONType, c v1alpha1.Comparator) {
	switch {
	case typ == v1alpha1.JSONTypeString && c != "" && c != "=" && c != "!=":
		r.warn(invalid(path, string(c), "comparator %q never matches a string filter (string filters support = and !=)", c))
	case typ == v1alpha1.JSONTypeBool && c != "" && c != "=":
		r.warn(invalid(path, string(c), "comparator %q is ignored for a bool filter, which always tests equality", c))
	}
}

// validateContextFilter checks that a context filter tests at least one of
// the fields Argo compares; otherwise it drops every event.
func validateContextFilter(r *report, path *field.Path, c *v1alpha1.EventContext) {
	if c.Type == "" && c.Subject == "" && c.Source == "" && c.DataContentType == "" {
		r.add(required(path, "context filter sets none of type, subject, source, datacontenttype, so it would drop every event"))
	}
	// Argo compares the four above only; so does Herald.
	for _, f := range []struct {
		name string
		set  bool
	}{{"id", c.ID != ""}, {"specversion", c.SpecVersion != ""}, {"time", !c.Time.IsZero()}} {
		if f.set {
			r.warn(invalid(path.Child(f.name), field.OmitValueType{}, "not compared: a context filter compares type, subject, source and datacontenttype only (as in Argo)"))
		}
	}
}

// validateTimeFilter checks the daily window of a time filter.
func validateTimeFilter(r *report, path *field.Path, t *v1alpha1.TimeFilter) {
	start, startErr := checkTimeOfDay(t.Start)
	if startErr != nil {
		r.add(invalid(path.Child("start"), t.Start, "invalid start time %q: %v", t.Start, startErr))
	}
	stop, stopErr := checkTimeOfDay(t.Stop)
	if stopErr != nil {
		r.add(invalid(path.Child("stop"), t.Stop, "invalid stop time %q: %v", t.Stop, stopErr))
	}
	if startErr == nil && stopErr == nil && start.Equal(stop) {
		r.add(invalid(path.Child("stop"), t.Stop, "stop equals start, so the window is empty"))
	}
	if err := checkTimezone(t.Timezone); err != nil {
		r.add(invalid(path.Child("timezone"), t.Timezone, "unknown time zone %q (want an IANA name such as Europe/Paris)", t.Timezone))
	}
}
