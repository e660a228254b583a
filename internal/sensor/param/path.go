package param

import (
	"fmt"
	"strings"
)

// CheckDest reports a dest path that may not write what its author means: an
// empty path (an error under Argo's validation too), or one with an
// unescaped |, #, @, * or ? (gjson query and modifier syntax). sjson hands
// such a path to gjson and replaces only the values gjson finds in the
// document; when it finds none, or finds a computed value (a count, a pipe,
// a modifier), the document is left unchanged without an error, as under
// Argo. Escape such characters with a backslash to use them in a key.
func CheckDest(dest string) error {
	if dest == "" {
		return fmt.Errorf("%w: no dest", ErrInvalidParameter)
	}
	for i := 0; i < len(dest); i++ {
		switch dest[i] {
		case '\\':
			i++
		case '|', '#', '@', '*', '?':
			return fmt.Errorf("dest %q: unescaped %q: a query path only replaces values already in the document", dest, dest[i])
		}
	}
	return nil
}

// splitPath splits an sjson path at its unescaped dots and removes the
// escapes, so that two spellings of the same key compare equal. A leading
// ':' (sjson's "this is a key, not an index") is dropped.
func splitPath(path string) []string {
	path = strings.TrimPrefix(path, ":")
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(path); i++ {
		switch c := path[i]; c {
		case '\\':
			if i+1 < len(path) {
				i++
				cur.WriteByte(path[i])
			}
		case '.':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, cur.String())
}
