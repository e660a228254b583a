package validation

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// UnsupportedPrefix starts the Detail of every error about something this
// Herald build does not run.
const UnsupportedPrefix = "unsupported: "

// Support says which kinds and features this Herald build runs; anything
// else is reported as an `unsupported: ...` error, never silently ignored.
// Keys are the JSON names used in manifests.
type Support struct {
	// EventSources are the event source kinds, e.g. "webhook", "calendar".
	EventSources map[string]bool
	// Triggers are the trigger kinds, e.g. "k8s", "http", "log".
	Triggers map[string]bool
	// ArtifactLocations are the places a k8s trigger may read its object
	// manifest from, e.g. "resource", "inline". Nil means DefaultSupport's.
	ArtifactLocations map[string]bool
}

// DefaultSupport returns what the first Herald build runs: webhook, resource
// and calendar event sources; k8s, log and http triggers; k8s trigger
// manifests read from resource, inline, file, url or configmap.
func DefaultSupport() Support {
	return Support{
		EventSources:      set("webhook", "resource", "calendar", "github", "gitlab", "amqp", "nats", "mqtt", "file", "kafka", "redis", "redisStream"),
		Triggers:          set("k8s", "log", "http", "nats", "slack", "argoWorkflow", "kafka"),
		ArtifactLocations: defaultArtifactLocations(),
	}
}

func defaultArtifactLocations() map[string]bool {
	return set("resource", "inline", "file", "url", "configmap")
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// Result holds what a validation found. Errors make the object unusable;
// Warnings point at something that works but probably not as meant.
type Result struct {
	Errors   field.ErrorList
	Warnings field.ErrorList
}

// OK reports whether there are no errors (warnings may remain).
func (r Result) OK() bool { return len(r.Errors) == 0 }

// report collects errors and warnings while an object is walked.
type report struct {
	Result
}

func (r *report) add(errs ...*field.Error) { r.Errors = append(r.Errors, errs...) }

func (r *report) warn(errs ...*field.Error) { r.Warnings = append(r.Warnings, errs...) }

// invalid reports value at path as wrong, with a full sentence.
func invalid(path *field.Path, value any, format string, args ...any) *field.Error {
	return field.Invalid(path, value, fmt.Sprintf(format, args...))
}

// required reports a missing value at path.
func required(path *field.Path, format string, args ...any) *field.Error {
	return field.Required(path, fmt.Sprintf(format, args...))
}

// notFound reports a reference at path to something that does not exist.
func notFound(path *field.Path, value any, format string, args ...any) *field.Error {
	e := field.NotFound(path, value)
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// duplicate reports a value at path that is already used elsewhere.
func duplicate(path *field.Path, value any, format string, args ...any) *field.Error {
	e := field.Duplicate(path, value)
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// unsupported reports something this Herald build does not run.
func unsupported(path *field.Path, format string, args ...any) *field.Error {
	return field.Forbidden(path, UnsupportedPrefix+fmt.Sprintf(format, args...))
}

// IsUnsupported reports whether e says that something is not supported by
// this Herald build (rather than wrong).
func IsUnsupported(e *field.Error) bool {
	return e != nil && strings.HasPrefix(e.Detail, UnsupportedPrefix)
}

// validateObjectName checks metadata.name: present (or generateName set) and
// a DNS subdomain, as the API server requires.
func validateObjectName(r *report, name, generateName string) {
	path := field.NewPath("metadata", "name")
	if name == "" {
		if generateName == "" {
			r.add(required(path, "name is required"))
		}
		return
	}
	if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
		r.add(invalid(path, name, "name is not a valid Kubernetes object name: %s", strings.Join(msgs, "; ")))
	}
}

// quoteList renders names as `"a", "b"`, or "none" when empty.
func quoteList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
