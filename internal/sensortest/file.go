// Package sensortest reads the event files of `herald dry-run` and the
// SensorTest files of `herald test`, and runs a SensorTest: each case's
// events go through the Sensor (sensor.Explainer, triggers rendered, never
// fired) and what the triggers would send is compared with the case's
// expectations. docs/testing-sensors.md describes both formats.
package sensortest

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/herald-dev/herald/internal/manifest"
)

// The kind and group of a SensorTest document. run, lint and dev load only
// argoproj.io kinds, so they skip SensorTest documents (with a note).
const (
	Group      = "herald.dev"
	Version    = "v1alpha1"
	KindName   = "SensorTest"
	APIVersion = Group + "/" + Version
)

// File is a SensorTest document: a Sensor and cases of events with what
// the triggers must do.
type File struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   Metadata `json:"metadata"`
	// Sensor is the manifest file holding the Sensor, relative to the test
	// file.
	Sensor string `json:"sensor"`
	// SensorName picks the Sensor when the file holds several.
	SensorName string `json:"sensorName,omitempty"`
	// Cases run one after the other, each on a fresh Sensor (no state
	// carried over).
	Cases []Case `json:"cases"`
}

// Metadata names the test.
type Metadata struct {
	Name string `json:"name,omitempty"`
}

// Case is events given to the Sensor in order and what must come of them.
type Case struct {
	Name   string  `json:"name"`
	Events []Event `json:"events"`
	Expect Expect  `json:"expect"`
}

// Event is one event of a case: which EventSource event it is (through a
// dependency, or named), its data, and its CloudEvents context.
type Event struct {
	// Dependency takes the EventSource and event names of that dependency.
	Dependency string `json:"dependency,omitempty"`
	// EventSourceName and EventName name the event directly.
	EventSourceName string `json:"eventSourceName,omitempty"`
	EventName       string `json:"eventName,omitempty"`
	// Data is the event data inline; DataFile reads it from a file
	// (relative to the test file): bare data or a structured CloudEvent.
	Data     json.RawMessage `json:"data,omitempty"`
	DataFile string          `json:"dataFile,omitempty"`
	// Context sets CloudEvents attributes.
	Context Context `json:"context"`
}

// Context is the CloudEvents context of an event given as bare data; what
// is empty takes a default (see docs/testing-sensors.md).
type Context struct {
	ID              string            `json:"id,omitempty"`
	Type            string            `json:"type,omitempty"`
	Time            string            `json:"time,omitempty"`
	DataContentType string            `json:"datacontenttype,omitempty"`
	Extensions      map[string]string `json:"extensions,omitempty"`
}

// Expect is what must come of a case's events.
type Expect struct {
	// Triggers are checked by name; triggers not listed are not checked.
	Triggers []TriggerExpect `json:"triggers,omitempty"`
	// Filtered lists dependencies that must reject an event of the case.
	Filtered []FilteredExpect `json:"filtered,omitempty"`
}

// Values of TriggerExpect.Match.
const (
	MatchSubset = "subset"
	MatchExact  = "exact"
)

// TriggerExpect is what one trigger must do over a case. The checks apply
// to its last firing.
type TriggerExpect struct {
	Name string `json:"name"`
	// Fired says whether the trigger fires at all in the case (default
	// true); Firings, when set, is the exact number of firings.
	Fired   *bool `json:"fired,omitempty"`
	Firings *int  `json:"firings,omitempty"`
	// Operation is the k8s operation, the HTTP method or "log".
	Operation string `json:"operation,omitempty"`
	// Target is the object ("networking.k8s.io/v1 Ingress ns/name") or URL.
	Target string `json:"target,omitempty"`
	// Object is compared with what would be sent (the Kubernetes object,
	// the JSON body, the log line's fields), as Match says.
	Object json.RawMessage `json:"object,omitempty"`
	// Match is "subset" (default: every key given must be there with that
	// value, lists compared item by item and of the same length) or
	// "exact".
	Match string `json:"match,omitempty"`
	// Headers are HTTP headers that must be sent with these values.
	Headers map[string]string `json:"headers,omitempty"`
	// Error, when set, says the firing must fail with an error containing
	// it.
	Error string `json:"error,omitempty"`
}

// FilteredExpect says a dependency rejects an event of the case (a filter,
// a filter error or a transform error), with a reason containing Reason.
type FilteredExpect struct {
	Dependency string `json:"dependency"`
	Reason     string `json:"reason,omitempty"`
}

// kinds is what the loader accepts in a test file.
var kinds = manifest.Kinds{{Group: Group, Kind: KindName, Versions: []string{Version}, New: func() any { return &File{} }}}

// LoadFile reads the SensorTest documents of path, strictly: an unknown
// field is an error with its line, as are a missing sensor, a case without
// name or events, and a bad match value. Documents of other kinds are
// errors too (a test file holds tests only).
func LoadFile(path string) ([]*File, manifest.Diagnostics, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading test file: %w", err)
	}
	return LoadBytes(path, data)
}

// LoadBytes is LoadFile on data read from a file called name.
func LoadBytes(name string, data []byte) ([]*File, manifest.Diagnostics, error) {
	docs, diags, err := manifest.LoadBytes(name, data, manifest.Options{Strict: true, Kinds: kinds})
	if err != nil {
		return nil, nil, fmt.Errorf("loading test file %s: %w", name, err)
	}
	for i := range diags {
		if diags[i].Severity == manifest.Info {
			// Another kind: not a test.
			diags[i].Severity = manifest.Error
		}
	}
	var files []*File
	for _, d := range docs {
		f := d.Object.(*File)
		diags = append(diags, check(f, d)...)
		files = append(files, f)
	}
	diags.Sort()
	return files, diags, nil
}

// check validates what the type cannot say.
func check(f *File, d manifest.Document) manifest.Diagnostics {
	var out manifest.Diagnostics
	bad := func(path, format string, args ...any) {
		out = append(out, manifest.Diagnostic{
			File: d.File, Line: d.Positions.Line(path), Path: path,
			Severity: manifest.Error, Message: fmt.Sprintf(format, args...),
		})
	}
	if f.Sensor == "" {
		bad("sensor", "required: the Sensor's manifest file")
	}
	if len(f.Cases) == 0 {
		bad("cases", "required: at least one case")
	}
	names := map[string]bool{}
	for i, c := range f.Cases {
		cp := fmt.Sprintf("cases[%d]", i)
		switch {
		case c.Name == "":
			bad(cp+".name", "required")
		case names[c.Name]:
			bad(cp+".name", "duplicate case name %q", c.Name)
		}
		names[c.Name] = true
		for j, ev := range c.Events {
			ep := fmt.Sprintf("%s.events[%d]", cp, j)
			named := ev.EventSourceName != "" || ev.EventName != ""
			switch {
			case ev.Dependency != "" && named:
				bad(ep, "set dependency or eventSourceName/eventName, not both")
			case ev.Dependency == "" && (ev.EventSourceName == "" || ev.EventName == "") && !ev.structured():
				bad(ep, "set dependency, or eventSourceName and eventName")
			}
			if len(ev.Data) > 0 && ev.DataFile != "" {
				bad(ep, "set data or dataFile, not both")
			}
		}
		for j, te := range c.Expect.Triggers {
			tp := fmt.Sprintf("%s.expect.triggers[%d]", cp, j)
			if te.Name == "" {
				bad(tp+".name", "required")
			}
			if te.Match != "" && te.Match != MatchSubset && te.Match != MatchExact {
				bad(tp+".match", "unknown value %q (want %s or %s)", te.Match, MatchSubset, MatchExact)
			}
		}
		for j, fe := range c.Expect.Filtered {
			if fe.Dependency == "" {
				bad(fmt.Sprintf("%s.expect.filtered[%d].dependency", cp, j), "required")
			}
		}
	}
	return out
}

// structured reports whether the event's data file may be a structured
// CloudEvent, which names its source and subject itself.
func (e *Event) structured() bool { return e.DataFile != "" }
