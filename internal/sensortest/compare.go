package sensortest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// Difference is one place where what was sent differs from what was
// expected.
type Difference struct {
	// Path is where, e.g. "spec.rules[0].host" ("" for the whole value).
	Path string `json:"path"`
	// Want and Got are JSON texts; empty when the key is missing on that
	// side.
	Want string `json:"want,omitempty"`
	Got  string `json:"got,omitempty"`
}

// String renders the difference, e.g.
// `spec.rules[0].http.paths[0].backend.service.port.number: want 8080 (number), got "8080" (string)`.
func (d Difference) String() string {
	path := d.Path
	if path == "" {
		path = "(whole value)"
	}
	switch {
	case d.Got == "":
		return path + ": missing, want " + describe(d.Want)
	case d.Want == "":
		return path + ": not expected, got " + describe(d.Got)
	}
	return path + ": want " + describe(d.Want) + ", got " + describe(d.Got)
}

// describe shows a JSON text with its type when that helps (numbers and
// strings look alike once printed).
func describe(text string) string {
	switch {
	case text == "null", text == "true", text == "false":
		return text
	case strings.HasPrefix(text, `"`):
		return text + " (string)"
	case strings.HasPrefix(text, "{"):
		return text + " (object)"
	case strings.HasPrefix(text, "["):
		return text + " (list)"
	}
	return text + " (number)"
}

// Compare compares got with want (both JSON) and returns the differences.
// With exact false, want is a subset: object keys absent from want are not
// compared; lists are compared item by item and must be of the same
// length. Numbers compare by value; a number never equals a string.
func Compare(want, got []byte, exact bool) ([]Difference, error) {
	w, err := decode(want)
	if err != nil {
		return nil, fmt.Errorf("reading the expected value: %w", err)
	}
	g, err := decode(got)
	if err != nil {
		return nil, fmt.Errorf("reading the value sent: %w", err)
	}
	var diffs []Difference
	compare(w, g, "", exact, &diffs)
	return diffs, nil
}

func decode(data []byte) (any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func compare(want, got any, path string, exact bool, diffs *[]Difference) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*diffs = append(*diffs, Difference{Path: path, Want: text(want), Got: text(got)})
			return
		}
		for _, k := range sortedKeys(w) {
			gv, present := g[k]
			if !present {
				*diffs = append(*diffs, Difference{Path: join(path, k), Want: text(w[k])})
				continue
			}
			compare(w[k], gv, join(path, k), exact, diffs)
		}
		if exact {
			for _, k := range sortedKeys(g) {
				if _, present := w[k]; !present {
					*diffs = append(*diffs, Difference{Path: join(path, k), Got: text(g[k])})
				}
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			*diffs = append(*diffs, Difference{Path: path, Want: text(want), Got: text(got)})
			return
		}
		for i := range w {
			compare(w[i], g[i], path+"["+strconv.Itoa(i)+"]", exact, diffs)
		}
	case json.Number:
		g, ok := got.(json.Number)
		if !ok || !sameNumber(w, g) {
			*diffs = append(*diffs, Difference{Path: path, Want: text(want), Got: text(got)})
		}
	default:
		if want != got {
			*diffs = append(*diffs, Difference{Path: path, Want: text(want), Got: text(got)})
		}
	}
}

func sameNumber(a, b json.Number) bool {
	if a == b {
		return true
	}
	x, ok1 := new(big.Float).SetString(string(a))
	y, ok2 := new(big.Float).SetString(string(b))
	return ok1 && ok2 && x.Cmp(y) == 0
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// join appends key to path, bracketing keys that are not plain names.
func join(path, key string) string {
	if key == "" || strings.ContainsAny(key, ".[] ") {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// text is v as compact JSON (at most 200 bytes).
func text(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
