package validation

import (
	"errors"
	"fmt"
	"strings"
)

// gjson (github.com/tidwall/gjson) never rejects a path: whatever it cannot
// read as syntax it looks up as a key, and finds nothing. So the checks here
// only reject what is certainly a mistake: an empty path, an empty component
// (`a..b`, `a.`), a dangling escape, an unclosed query `#(...)` or multipath
// `{...}`/`[...]`, an empty query `#()`, and text glued after a query. They do
// not reject unknown modifiers: gjson reads `@type` as a key when no modifier
// has that name.

// checkGJSONPath checks a gjson path used to read a value from an event
// (dataKey, contextKey, data filter path, expr filter field path, resource
// field filter key).
func checkGJSONPath(path string) error {
	if path == "" {
		return fmt.Errorf("path is empty")
	}
	start := 0
	if strings.HasPrefix(path, "..") {
		// JSON Lines: ".." reads the input as one JSON document per line.
		start = 2
		if len(path) == 2 {
			return fmt.Errorf("nothing follows the JSON Lines prefix \"..\"")
		}
	}
	return scanGJSON(path, start)
}

// scanGJSON walks the components of path from offset i.
func scanGJSON(path string, i int) error {
	for {
		end, err := gjsonComponent(path, i)
		if err != nil {
			return err
		}
		if end == i {
			return emptyComponent(path, i)
		}
		if end == len(path) {
			return nil
		}
		// path[end] is an unescaped '.' or '|'.
		i = end + 1
		if i == len(path) {
			return fmt.Errorf("path ends with %q", string(path[end]))
		}
	}
}

func emptyComponent(path string, i int) error {
	if i == 0 {
		return fmt.Errorf("path starts with %q", string(path[0]))
	}
	return fmt.Errorf("empty component at offset %d (two separators in a row)", i)
}

// gjsonComponent scans the component starting at i and returns the offset
// of the separator that ends it, or len(path).
func gjsonComponent(path string, i int) (int, error) {
	if i < len(path) {
		switch c := path[i]; {
		case c == '#' && i+1 < len(path) && path[i+1] == '(':
			return gjsonQuery(path, i)
		case c == '{' || c == '[':
			end, err := balanced(path, i)
			if err != nil {
				return 0, err
			}
			return end, gjsonComponentEnd(path, end, "multipath")
		case c == '!' && i+1 < len(path) && strings.ContainsRune("{[\"", rune(path[i+1])):
			// A literal such as !{"a":1} or !"text".
			end, err := balanced(path, i+1)
			if err != nil {
				return 0, err
			}
			return end, gjsonComponentEnd(path, end, "literal")
		case c == '@':
			return gjsonModifier(path, i)
		}
	}
	return plainComponent(path, i)
}

// plainComponent scans a key, with `\` escaping the next byte.
func plainComponent(path string, i int) (int, error) {
	for ; i < len(path); i++ {
		switch path[i] {
		case '\\':
			if i+1 == len(path) {
				return 0, fmt.Errorf("path ends with an unfinished escape \"\\\"")
			}
			i++
		case '.', '|':
			return i, nil
		}
	}
	return i, nil
}

// gjsonQuery scans `#(...)` and an optional trailing `#`.
func gjsonQuery(path string, i int) (int, error) {
	end, err := balanced(path, i+1)
	if err != nil {
		return 0, err
	}
	if strings.TrimSpace(path[i+2:end-1]) == "" {
		return 0, fmt.Errorf("empty query \"#()\" at offset %d", i)
	}
	if end < len(path) && path[end] == '#' {
		end++
	}
	return end, gjsonComponentEnd(path, end, "query")
}

// gjsonModifier scans `@name` and an optional `:argument`; an argument that
// starts with `{`, `[` or `"` must be a balanced JSON value.
func gjsonModifier(path string, i int) (int, error) {
	j := i + 1
	for j < len(path) && path[j] != ':' && path[j] != '.' && path[j] != '|' {
		j++
	}
	if j == len(path) || path[j] != ':' || j+1 == len(path) {
		return j, nil
	}
	arg := j + 1
	if !strings.ContainsRune("{[\"", rune(path[arg])) {
		return plainComponent(path, arg)
	}
	end, err := balanced(path, arg)
	if err != nil {
		return 0, err
	}
	return end, gjsonComponentEnd(path, end, "modifier argument")
}

// gjsonComponentEnd checks that a query, multipath or literal ending at end
// is followed by a separator or the end of the path.
func gjsonComponentEnd(path string, end int, what string) error {
	if end == len(path) || path[end] == '.' || path[end] == '|' {
		return nil
	}
	return fmt.Errorf("unexpected %q after %s at offset %d (want \".\", \"|\" or the end)", string(path[end]), what, end)
}

// closers maps each opening bracket to its closing one.
var closers = map[byte]byte{'(': ')', '[': ']', '{': '}'}

// balanced returns the offset just past the bracket that closes the one at
// path[i] (or past the closing quote if path[i] is `"`), honouring quoted
// strings and nesting.
func balanced(path string, i int) (int, error) {
	var stack []int
	for j := i; j < len(path); j++ {
		c := path[j]
		switch {
		case c == '"':
			k, err := closeQuote(path, j)
			if err != nil {
				return 0, err
			}
			j = k
		case c == '\\':
			j++
		case closers[c] != 0:
			stack = append(stack, j)
		case c == ')' || c == ']' || c == '}':
			if len(stack) == 0 {
				return 0, fmt.Errorf("unexpected %q at offset %d", string(c), j)
			}
			open := stack[len(stack)-1]
			if closers[path[open]] != c {
				return 0, fmt.Errorf("%q at offset %d does not match %q at offset %d", string(c), j, string(path[open]), open)
			}
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			return j + 1, nil
		}
	}
	open := stack[len(stack)-1]
	return 0, fmt.Errorf("%q at offset %d is never closed", string(path[open]), open)
}

// closeQuote returns the offset of the quote that closes the string opened
// at path[i].
func closeQuote(path string, i int) (int, error) {
	for j := i + 1; j < len(path); j++ {
		switch path[j] {
		case '\\':
			j++
		case '"':
			return j, nil
		}
	}
	return 0, fmt.Errorf("string opened at offset %d is never closed", i)
}

// checkSJSONPath checks a parameter `dest`, the sjson path that a value is
// written to. sjson creates missing objects and arrays along a simple path of
// keys and indexes, with `-1` to append to an array; it silently does nothing
// for wildcards, queries, modifiers or pipes, so those are rejected. `\`
// escapes the next byte, and a leading `:` forces a numeric key to be an
// object key.
// errQueryPath marks a destination path that holds gjson query or
// modifier syntax: sjson (and so Argo) accepts it, with a meaning few
// expect.
var errQueryPath = errors.New("query in a destination path")

func checkSJSONPath(path string) error {
	if path == "" {
		return fmt.Errorf("path is empty")
	}
	i := 0
	if path[0] == ':' {
		if len(path) == 1 {
			return fmt.Errorf("nothing follows the \":\" prefix")
		}
		i = 1
	}
	compStart := i
	for ; i < len(path); i++ {
		switch c := path[i]; c {
		case '\\':
			if i+1 == len(path) {
				return fmt.Errorf("path ends with an unfinished escape \"\\\"")
			}
			i++
		case '.':
			if i == compStart {
				return emptyComponent(path, i)
			}
			compStart = i + 1
		case '|', '#', '@', '*', '?':
			return fmt.Errorf("%w: %q at offset %d: a query only replaces values already in the document, and leaves it unchanged when it finds none (escape it as \"\\%c\" if it is part of a key)", errQueryPath, string(c), i, c)
		}
	}
	if compStart == len(path) {
		return fmt.Errorf("path ends with \".\"")
	}
	return nil
}
