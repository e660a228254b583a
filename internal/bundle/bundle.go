// Package bundle loads a set of Herald objects (EventSources, Sensors and
// EventBuses) from manifest files and validates each one, so that lint, run
// and dry-run see the same objects and the same messages.
package bundle

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/manifest"
)

// Kinds are the manifest kinds Herald reads: argoproj.io/v1alpha1 EventSource,
// Sensor and EventBus.
func Kinds() manifest.Kinds {
	versions := []string{v1alpha1.SchemeGroupVersion.Version}
	return manifest.Kinds{
		{Group: v1alpha1.Group, Kind: v1alpha1.KindEventSource, Versions: versions, New: func() any { return &v1alpha1.EventSource{} }},
		{Group: v1alpha1.Group, Kind: v1alpha1.KindSensor, Versions: versions, New: func() any { return &v1alpha1.Sensor{} }},
		{Group: v1alpha1.Group, Kind: v1alpha1.KindEventBus, Versions: versions, New: func() any { return &v1alpha1.EventBus{} }},
	}
}

// Options tune a load.
type Options struct {
	// Strict makes unknown fields errors instead of warnings.
	Strict bool
	// MaxFileSize is the largest manifest file read, in bytes (0: the default).
	MaxFileSize int64
	// Support says which kinds this build runs; the zero value means
	// validation.DefaultSupport().
	Support *validation.Support
	// UniqueNames makes two objects of one kind with the same namespace and
	// name an error, as it is for a process that runs them all. Otherwise it
	// is a warning: folders of examples often reuse names.
	UniqueNames bool
}

// Status sums up what a load found about one document.
type Status string

// The statuses of a document, from best to worst.
const (
	// Clean: decoded and valid, nothing to say.
	Clean Status = "clean"
	// Warned: usable, with warnings (unknown fields Argo ignores, say).
	Warned Status = "warnings"
	// Unsupported: valid, but uses kinds or features this build does not run.
	Unsupported Status = "unsupported"
	// Invalid: cannot be used as written.
	Invalid Status = "invalid"
)

// Object is one loaded document with its decoded object and what was found.
type Object struct {
	manifest.Document
	// Status sums up Diagnostics.
	Status Status
	// Diagnostics are the problems of this document (decoding and validation).
	Diagnostics manifest.Diagnostics
}

// Bundle is the set of objects a load produced, in file order.
type Bundle struct {
	Objects []Object
}

// EventSources returns the usable EventSources (no errors).
func (b *Bundle) EventSources() []*v1alpha1.EventSource { return usable[*v1alpha1.EventSource](b) }

// Sensors returns the usable Sensors (no errors).
func (b *Bundle) Sensors() []*v1alpha1.Sensor { return usable[*v1alpha1.Sensor](b) }

// EventBuses returns the usable EventBuses (no errors).
func (b *Bundle) EventBuses() []*v1alpha1.EventBus { return usable[*v1alpha1.EventBus](b) }

func usable[T any](b *Bundle) []T {
	var out []T
	for _, o := range b.Objects {
		if t, ok := o.Object.(T); ok && (o.Status == Clean || o.Status == Warned) {
			out = append(out, t)
		}
	}
	return out
}

// Load reads the manifests under paths (files or directories), decodes them
// strictly and validates every object. The returned diagnostics hold every
// problem found, also those of files that yielded no object, sorted by file
// and line. The error is only for a programming mistake.
func Load(paths []string, opts Options) (*Bundle, manifest.Diagnostics, error) {
	docs, diags, err := manifest.Load(paths, manifest.Options{Strict: opts.Strict, MaxFileSize: opts.MaxFileSize, Kinds: Kinds()})
	if err != nil {
		return nil, nil, fmt.Errorf("loading manifests: %w", err)
	}
	support := validation.DefaultSupport()
	if opts.Support != nil {
		support = *opts.Support
	}
	b := &Bundle{}
	decoding := diags
	for _, d := range docs {
		o := Object{Document: d}
		// Decoding problems (unknown fields) were reported for the whole load;
		// attach the ones of this document to it as well.
		for _, dg := range decoding {
			if belongsTo(dg, d) {
				o.Diagnostics = append(o.Diagnostics, dg)
			}
		}
		res := validation.Validate(d.Object, support)
		o.Diagnostics = append(o.Diagnostics, d.Positions.Diagnostics(d.File, res.Errors, manifest.Error)...)
		o.Diagnostics = append(o.Diagnostics, d.Positions.Diagnostics(d.File, res.Warnings, manifest.Warning)...)
		diags = append(diags, d.Positions.Diagnostics(d.File, res.Errors, manifest.Error)...)
		diags = append(diags, d.Positions.Diagnostics(d.File, res.Warnings, manifest.Warning)...)
		o.Status = status(o.Diagnostics, res.Errors)
		b.Objects = append(b.Objects, o)
	}
	diags = append(diags, duplicates(b, opts.UniqueNames)...)
	diags.Sort()
	return b, diags, nil
}

// belongsTo reports whether a decoding diagnostic is about document d. The
// decoder reports problems of a loaded document at field paths whose
// positions it recorded, so a diagnostic belongs to d when d has its path at
// its line. Comparing lines alone would hand the problems of a later
// document that failed to load (and so is not in the list) to an earlier one.
func belongsTo(dg manifest.Diagnostic, d manifest.Document) bool {
	if dg.File != d.File || dg.Path == "" {
		return false
	}
	pos, ok := d.Positions.Exact(dg.Path)
	return ok && pos.Line == dg.Line
}

func status(diags manifest.Diagnostics, validationErrs field.ErrorList) Status {
	if !diags.HasErrors() {
		if len(diags.Warnings()) > 0 {
			return Warned
		}
		return Clean
	}
	// Errors of decoding would have dropped the document, so every error here
	// comes from validation.
	for _, e := range validationErrs {
		if !validation.IsUnsupported(e) {
			return Invalid
		}
	}
	return Unsupported
}

// duplicates reports objects of one kind with the same namespace and name.
func duplicates(b *Bundle, unique bool) manifest.Diagnostics {
	sev := manifest.Warning
	if unique {
		sev = manifest.Error
	}
	type key struct{ kind, namespace, name string }
	seen := map[key]manifest.Document{}
	var out manifest.Diagnostics
	for i := range b.Objects {
		o := &b.Objects[i]
		k := key{o.Kind, o.Namespace, o.Name}
		if first, ok := seen[k]; ok {
			d := manifest.Diagnostic{
				File: o.File, Line: o.Line, Path: "metadata.name", Severity: sev,
				Message: fmt.Sprintf("duplicate %s %q: already defined at %s:%d", o.Kind, qualified(o.Namespace, o.Name), first.File, first.Line),
			}
			o.Diagnostics = append(o.Diagnostics, d)
			if unique {
				o.Status = Invalid
			} else if o.Status == Clean {
				o.Status = Warned
			}
			out = append(out, d)
			continue
		}
		seen[k] = o.Document
	}
	return out
}

func qualified(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}
