package validation

import (
	"errors"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// validateParam checks one trigger parameter: its source names a dependency
// of the sensor, its keys and templates are well formed, and its destination
// is a plain sjson path. destOptional allows an empty dest (an http payload
// parameter without dest is the whole request body).
func validateParam(r *report, path *field.Path, p *v1alpha1.TriggerParameter, deps *dependencySet, destOptional bool) {
	if p.Src == nil {
		r.add(required(path.Child("src"), "src is required: which dependency's event the value comes from"))
	} else {
		validateParamSource(r, path.Child("src"), p.Src, deps)
	}
	switch {
	case p.Dest == "" && !destOptional:
		r.add(required(path.Child("dest"), "dest is required: the path the value is written to"))
	case p.Dest != "":
		switch err := checkSJSONPath(p.Dest); {
		case errors.Is(err, errQueryPath):
			r.warn(invalid(path.Child("dest"), p.Dest, "%v", err))
		case err != nil:
			r.add(invalid(path.Child("dest"), p.Dest, "malformed destination path: %v", err))
		}
	}
	switch p.Operation {
	case v1alpha1.TriggerParameterOpNone, v1alpha1.TriggerParameterOpOverwrite,
		v1alpha1.TriggerParameterOpAppend, v1alpha1.TriggerParameterOpPrepend:
	default:
		r.add(invalid(path.Child("operation"), string(p.Operation), "unknown operation %q (want overwrite, append, prepend)", p.Operation))
	}
}

// validateParamSource checks where a parameter value is read from.
func validateParamSource(r *report, path *field.Path, src *v1alpha1.TriggerParameterSource, deps *dependencySet) {
	switch {
	case src.DependencyName == "":
		r.add(required(path.Child("dependencyName"), "dependencyName is required: the dependency whose event supplies the value"))
	case !deps.hasDependency(src.DependencyName):
		r.add(notFound(path.Child("dependencyName"), src.DependencyName,
			"unknown dependency %q (have %s)", src.DependencyName, quoteList(deps.names)))
	}
	for _, k := range []struct{ name, value string }{{"dataKey", src.DataKey}, {"contextKey", src.ContextKey}} {
		if k.value == "" {
			continue
		}
		if err := checkGJSONPath(k.value); err != nil {
			r.add(invalid(path.Child(k.name), k.value, "malformed path: %v", err))
		}
	}
	for _, t := range []struct {
		name, value string
		fallback    bool // a key or a default to fall back on, as Argo does
	}{
		{"dataTemplate", src.DataTemplate, src.DataKey != "" || src.Value != nil},
		{"contextTemplate", src.ContextTemplate, src.ContextKey != "" || src.Value != nil},
	} {
		if t.value == "" {
			continue
		}
		switch err := checkTemplate(t.value); {
		case err != nil && t.fallback:
			r.warn(invalid(path.Child(t.name), t.value, "template does not parse, so it never runs and the value comes from the key or the default (as in Argo): %v", err))
		case err != nil:
			r.add(invalid(path.Child(t.name), t.value, "template does not parse: %v", err))
		}
	}
	if src.Expression != "" {
		validateParamExpression(r, path, src)
		return
	}
	usesData := src.DataKey != "" || src.DataTemplate != ""
	switch {
	case usesData && src.ContextKey != "":
		r.warn(invalid(path.Child("contextKey"), src.ContextKey, "contextKey is ignored because dataKey or dataTemplate is set"))
	case usesData && src.ContextTemplate != "":
		r.warn(invalid(path.Child("contextTemplate"), src.ContextTemplate, "contextTemplate is ignored because dataKey or dataTemplate is set"))
	}
}

// validateParamExpression checks src.expression, Herald's extension: a jq
// program that compiles, and no other way of reading the event beside it
// (the runtime refuses the combination).
func validateParamExpression(r *report, path *field.Path, src *v1alpha1.TriggerParameterSource) {
	exprPath := path.Child("expression")
	r.warn(invalid(exprPath, src.Expression, "expression is a Herald extension: Argo Events rejects this sensor"))
	if err := checkJQ(src.Expression); err != nil {
		r.add(invalid(exprPath, src.Expression, "jq expression does not compile: %v", err))
	}
	var others []string
	for _, f := range []struct{ name, value string }{
		{"dataKey", src.DataKey},
		{"dataTemplate", src.DataTemplate},
		{"contextKey", src.ContextKey},
		{"contextTemplate", src.ContextTemplate},
	} {
		if f.value != "" {
			others = append(others, f.name)
		}
	}
	if len(others) > 0 {
		r.add(invalid(exprPath, src.Expression, "expression cannot be combined with %s: the value comes from one of them only",
			strings.Join(others, ", ")))
	}
}
