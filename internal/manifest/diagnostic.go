package manifest

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Severity says how serious a [Diagnostic] is. The zero value is Error, so
// that a Diagnostic built without a severity is never taken lightly.
type Severity int

const (
	// Error means the document cannot be used as written.
	Error Severity = iota
	// Warning means the document loads, but probably not as its author meant
	// (an unknown field, a key in the wrong case).
	Warning
	// Info is a note that needs no action, such as a skipped foreign kind.
	Info
)

// String returns "error", "warning" or "info".
func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Info:
		return "info"
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText encodes the severity as its String form, for JSON output.
func (s Severity) MarshalText() ([]byte, error) {
	switch s {
	case Error, Warning, Info:
		return []byte(s.String()), nil
	}
	return nil, fmt.Errorf("encoding severity %d: unknown severity", int(s))
}

// UnmarshalText reads a severity written by MarshalText.
func (s *Severity) UnmarshalText(text []byte) error {
	switch string(text) {
	case "error":
		*s = Error
	case "warning":
		*s = Warning
	case "info":
		*s = Info
	default:
		return fmt.Errorf("decoding severity %q: want error, warning or info", text)
	}
	return nil
}

// Diagnostic is one problem (or note) found in a manifest. Line and Column
// are 1-based; 0 means unknown (for example a file that cannot be read).
// Path is the field path in field.Path form ("spec.triggers[0].template"),
// empty when the diagnostic is about a whole file or document. The JSON form
// is what `herald lint --output json` prints.
type Diagnostic struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Path     string   `json:"path,omitempty"`
	Message  string   `json:"message"`
	Severity Severity `json:"severity"`
}

// String formats the diagnostic the way compilers do, so editors can jump to
// it: "a.yaml:31: spec.x: message" for errors, "a.yaml:31: warning: spec.x:
// message" for warnings and "a.yaml:1: note: message" for notes. The line is
// left out when unknown, the file when empty.
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.File != "" {
		b.WriteString(d.File)
		if d.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(d.Line))
		}
		b.WriteString(": ")
	} else if d.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(d.Line))
		b.WriteString(": ")
	}
	switch d.Severity {
	case Error:
	case Info:
		b.WriteString("note: ")
	default:
		b.WriteString(d.Severity.String())
		b.WriteString(": ")
	}
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// Diagnostics is a list of diagnostics, usually in file and line order.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic has severity Error.
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity == Error })
}

// Errors returns the diagnostics with severity Error.
func (ds Diagnostics) Errors() Diagnostics { return ds.filter(Error) }

// Warnings returns the diagnostics with severity Warning.
func (ds Diagnostics) Warnings() Diagnostics { return ds.filter(Warning) }

func (ds Diagnostics) filter(s Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders the diagnostics by file, line and column, keeping the original
// order of diagnostics at the same position.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// sortByPosition orders by line and column only, for diagnostics of one file.
func (ds Diagnostics) sortByPosition() {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// String joins the diagnostics, one per line.
func (ds Diagnostics) String() string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}
