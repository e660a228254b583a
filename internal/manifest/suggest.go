package manifest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// How far "did you mean" searches reach.
const (
	// ancestorReach is how many enclosing structs are searched for a field
	// with the unknown key's name (the trigger of a trigger template, ...).
	ancestorReach = 3
	// childReach is how many of the innermost structs also have their
	// direct struct fields searched (template.k8s when the key sits in
	// template).
	childReach = 2
	// maxSuggestions bounds the places listed for a misplaced field.
	maxSuggestions = 3
	// maxListedFields is the largest field set listed in full when nothing
	// close to an unknown key exists.
	maxListedFields = 6
)

// unknownField reports a key that no field of the enclosing struct takes.
// It is ignored when decoding, like encoding/json does.
func (c *checker) unknownField(m member, path string) {
	msg := fmt.Sprintf("unknown field %q", m.key)
	fs := c.frames[len(c.frames)-1].fields
	switch places := c.misplaced(m.key); {
	case len(places) > 0:
		msg += ", did you mean " + orList(places) + "?"
	default:
		if near := closest(m.key, fs.names()); near != "" {
			msg += ", did you mean " + near + "?"
		} else if names := fs.names(); len(names) > 0 && len(names) <= maxListedFields {
			msg += " (known fields: " + strings.Join(names, ", ") + ")"
		}
	}
	c.report(c.unknownSeverity(), m.line, m.column, childPath(path, m.key), "%s", msg)
}

// caseMismatch reports a key that matches a field only when case is ignored.
// encoding/json (and so sigs.k8s.io/yaml and Herald) still uses the value.
func (c *checker) caseMismatch(m member, path, name string) {
	if c.strict {
		c.report(Error, m.line, m.column, childPath(path, m.key),
			"unknown field %q, did you mean %s? (keys are case-sensitive under --strict)", m.key, name)
		return
	}
	c.report(c.unknownSeverity(), m.line, m.column, childPath(path, m.key),
		"unknown field %q, did you mean %s? (read as %s, since keys match ignoring case as in encoding/json; case-sensitive Kubernetes decoders ignore it)",
		m.key, name, name)
}

func (c *checker) unknownSeverity() Severity {
	if c.strict {
		return Error
	}
	return Warning
}

// misplaced returns the paths, nearest first, where a field named key
// exists close to the current struct: in an enclosing struct, or in a struct
// field of the current or the enclosing struct.
func (c *checker) misplaced(key string) []string {
	var places []string
	add := func(p string) {
		if !slices.Contains(places, p) {
			places = append(places, p)
		}
	}
	for depth := 0; depth < ancestorReach+1 && depth < len(c.frames); depth++ {
		f := c.frames[len(c.frames)-1-depth]
		if depth > 0 {
			if _, ok := f.fields.byName[key]; ok {
				add(childPath(f.path, key))
			}
		}
		if depth < childReach {
			for _, sf := range f.fields.list {
				if st := structType(sf.typ); st != nil {
					if _, ok := fieldsOf(st).byName[key]; ok {
						add(childPath(childPath(f.path, sf.name), key))
					}
				}
			}
		}
		if len(places) > 0 {
			break // the nearest level with a match is the best guess
		}
	}
	if len(places) > maxSuggestions {
		places = places[:maxSuggestions]
	}
	return places
}

// structType returns t, or what it points to, when that is a struct.
func structType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		return t
	}
	return nil
}

// orList joins alternatives: "a", "a or b", "a, b or c".
func orList(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// closest returns the candidate nearest to key by edit distance, ignoring
// case, when it is close enough to be a likely typo: one edit for short
// names, two for longer ones.
func closest(key string, candidates []string) string {
	limit := 2
	if len(key) <= 4 {
		limit = 1
	}
	best, bestDist := "", limit+1
	lk := strings.ToLower(key)
	for _, cand := range candidates {
		d := editDistance(lk, strings.ToLower(cand))
		if d < bestDist && d < len(cand) {
			best, bestDist = cand, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
