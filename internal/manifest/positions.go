package manifest

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Position is a 1-based line and column in a file.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Positions maps the field paths of one document to where they are written.
// Paths use field.Path's string form with the Go JSON names of the fields
// ("spec.triggers[0].template.openWhisk" even when the file spells the key
// openwhisk), list indexes in brackets and map keys in brackets
// ("spec.webhook[example].port"). Object keys inside untyped values
// (interface{} fields, unknown fields) are recorded as ".key".
//
// A nil *Positions is valid and knows no positions.
type Positions struct {
	root  Position
	paths map[string]Position
}

// newPositions returns an index whose fallback is the document's first line.
func newPositions(root Position) *Positions {
	return &Positions{root: root, paths: map[string]Position{}}
}

func (p *Positions) set(path string, line, column int) {
	if p != nil {
		p.paths[path] = Position{Line: line, Column: column}
	}
}

// Exact returns the position of path itself, if the document has it.
func (p *Positions) Exact(path string) (Position, bool) {
	if p == nil {
		return Position{}, false
	}
	pos, ok := p.paths[path]
	return pos, ok
}

// Position returns where path is written. For a path the document does not
// have (typically a required field that is missing) it returns the position
// of the nearest enclosing path that exists, and at worst the document's
// first line.
func (p *Positions) Position(path string) Position {
	if p == nil {
		return Position{}
	}
	for {
		if pos, ok := p.paths[path]; ok {
			return pos
		}
		if path == "" {
			return p.root
		}
		path = parentPath(path)
	}
}

// Line returns the line of path, falling back as Position does.
func (p *Positions) Line(path string) int {
	return p.Position(path).Line
}

// Len returns how many paths have a recorded position.
func (p *Positions) Len() int {
	if p == nil {
		return 0
	}
	return len(p.paths)
}

// parentPath drops the last element of a field path: "a.b[0]" -> "a.b",
// "a.b" -> "a", "a" -> "".
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		if j := strings.LastIndexByte(path, ']'); j > i {
			return path[:j+1]
		}
		return path[:i]
	}
	return ""
}

// Diagnostics turns field errors from semantic validation into diagnostics
// of file at the lines their paths are written on (or the nearest enclosing
// line, for missing fields). The message is the error's detail when it has
// one, else its type and bad value, as in "Required value" or
// `Invalid value: "x"`; for NotSupported errors, whose detail only lists
// the allowed values, it is both: `Unsupported value: "x": supported
// values: "a", "b"`.
func (p *Positions) Diagnostics(file string, errs field.ErrorList, sev Severity) Diagnostics {
	out := make(Diagnostics, 0, len(errs))
	for _, err := range errs {
		if err == nil {
			continue
		}
		pos := p.Position(err.Field)
		msg := err.Detail
		if msg == "" || err.Type == field.ErrorTypeNotSupported {
			// A NotSupported detail only lists the allowed values.
			msg = err.ErrorBody()
		}
		out = append(out, Diagnostic{
			File: file, Line: pos.Line, Column: pos.Column,
			Path: err.Field, Message: msg, Severity: sev,
		})
	}
	return out
}
