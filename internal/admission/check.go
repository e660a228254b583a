package admission

import (
	"fmt"

	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/bundle"
	"github.com/herald-dev/herald/internal/manifest"
)

// verdict is what the checks of "herald lint" say about one object: its
// problems as lint prints them, without file and line
// ("spec.triggers[0].template.k8s.operation: unknown operation ...").
type verdict struct {
	errors   manifest.Diagnostics
	warnings manifest.Diagnostics
}

// check decodes the JSON of one object the way "herald lint" decodes a
// manifest (strictly: wrong types are errors, unknown fields warnings) and
// validates it with the same rules and Support.
func check(raw []byte, support validation.Support) verdict {
	// The request body is already bounded; the object has no file limit.
	docs, diags, err := manifest.LoadBytes("", raw, manifest.Options{Kinds: bundle.Kinds(), MaxFileSize: -1})
	if err != nil {
		return verdict{errors: manifest.Diagnostics{{Message: fmt.Sprintf("loading the object: %s", err)}}}
	}
	var v verdict
	if len(docs) != 1 && !diags.HasErrors() {
		// A skipped document (no kind, a foreign kind): not an object lint checks.
		for _, d := range diags {
			d.Severity = manifest.Error
			v.add(d)
		}
		if len(v.errors) == 0 {
			v.add(manifest.Diagnostic{Message: "not one argoproj.io/v1alpha1 EventSource, Sensor or EventBus"})
		}
		return v
	}
	for _, d := range diags {
		v.add(d)
	}
	if len(docs) == 1 {
		d := docs[0]
		res := validation.Validate(d.Object, support)
		for _, vd := range d.Positions.Diagnostics("", res.Errors, manifest.Error) {
			v.add(vd)
		}
		for _, vd := range d.Positions.Diagnostics("", res.Warnings, manifest.Warning) {
			v.add(vd)
		}
	}
	return v
}

// add files a diagnostic by severity, without its position: every line
// of a JSON object is line 1, and the API server names the object.
func (v *verdict) add(d manifest.Diagnostic) {
	d.File, d.Line, d.Column = "", 0, 0
	switch d.Severity {
	case manifest.Error:
		v.errors = append(v.errors, d)
	case manifest.Warning:
		v.warnings = append(v.warnings, d)
	}
}

// messages renders diagnostics as "path: message", lint's text without the
// file, line and severity.
func messages(ds manifest.Diagnostics) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		d.File, d.Line, d.Column = "", 0, 0
		d.Severity = manifest.Error // no "warning: " prefix
		out = append(out, d.String())
	}
	return out
}
