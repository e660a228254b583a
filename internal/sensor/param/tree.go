package param

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// ObjectFrom is ObjectFromJSON for a template held both decoded (tree, as
// unstructured decodes it: integers as int64) and encoded (doc). Neither
// is modified.
//
// Encoding the object, rewriting the JSON text once per parameter and
// decoding the result cost most of a k8s trigger's rendering. When every
// parameter writes a plain path into what the template already has (the
// usual case: a value replacing a placeholder), the same result is reached
// by copying tree and setting the values in the copy. Anything else (a
// path sjson would read specially, a missing container, append or prepend
// to a value that is not a string) takes ObjectFromJSON's way, so the
// results cannot differ; TestObjectFromMatchesJSON compares them.
func (c *Compiled) ObjectFrom(tree map[string]any, doc []byte, events map[string]*event.Event) (*unstructured.Unstructured, error) {
	if obj, ok, err := c.objectFromTree(tree, events); ok || err != nil {
		return obj, err
	}
	return c.ObjectFromJSON(doc, events)
}

// objectFromTree is ObjectFrom's fast way; ok is false when it does not
// apply.
func (c *Compiled) objectFromTree(tree map[string]any, events map[string]*event.Event) (*unstructured.Unstructured, bool, error) {
	if tree == nil {
		return nil, false, nil
	}
	out := runtime.DeepCopyJSON(tree)
	var cache renderCache
	for i := range c.params {
		p := &c.params[i]
		v, err := p.src.resolve(events, &cache)
		if err != nil {
			return nil, false, p.errorf(err)
		}
		if v.Skip {
			continue
		}
		parent, key, ok := plainPath(out, p.dest)
		if !ok {
			return nil, false, nil
		}
		text, raw := v.Text, v.Raw
		if p.op == v1alpha1.TriggerParameterOpAppend || p.op == v1alpha1.TriggerParameterOpPrepend {
			if cur, exists := parent.get(key); exists {
				s, isString := cur.(string)
				if !isString {
					return nil, false, nil
				}
				raw = false
				if p.op == v1alpha1.TriggerParameterOpAppend {
					text = s + text
				} else {
					text += s
				}
			}
		}
		var val any = text
		if !raw && !utf8.ValidString(text) {
			return nil, false, nil // encoding/json would replace the bad bytes
		}
		if raw {
			if n, ok := plainInteger(text); ok {
				val = n
			} else if err := utiljson.Unmarshal([]byte(text), &val); err != nil {
				return nil, false, nil
			}
		}
		if !parent.set(key, val) {
			return nil, false, nil
		}
	}
	obj := &unstructured.Unstructured{Object: out}
	if obj.GroupVersionKind().Kind == "" {
		return nil, false, nil // ObjectFromJSON gives the error
	}
	return obj, true, nil
}

// plainInteger reads text when it is a JSON integer that fits int64, as
// utiljson.Unmarshal would (it gives such a number as int64), without its
// cost: the usual raw value is a port or a replica count.
func plainInteger(text string) (int64, bool) {
	digits := strings.TrimPrefix(text, "-")
	if digits == "" || len(digits) > 18 || digits[0] == '0' && len(digits) > 1 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(text, 10, 64)
	return n, err == nil
}

// container is an object or array of a decoded tree, with a way to set
// one of its members in place.
type container struct {
	m map[string]any
	a []any
}

func (c container) get(key string) (any, bool) {
	if c.m != nil {
		v, ok := c.m[key]
		return v, ok
	}
	i, err := strconv.Atoi(key)
	if err != nil || i < 0 || i >= len(c.a) || strconv.Itoa(i) != key {
		return nil, false
	}
	return c.a[i], true
}

// set writes an existing member (an array element) or a member of an
// object; false when sjson would pad or append an array instead.
func (c container) set(key string, v any) bool {
	if c.m != nil {
		c.m[key] = v
		return true
	}
	i, err := strconv.Atoi(key)
	if err != nil || i < 0 || i >= len(c.a) || strconv.Itoa(i) != key {
		return false
	}
	c.a[i] = v
	return true
}

// plainPath finds the container and key an sjson dest path names in
// root, when every step of it exists and is read by sjson as a plain key
// or array index. ok is false otherwise.
func plainPath(root map[string]any, dest string) (container, string, bool) {
	if dest == "" || strings.ContainsAny(dest, "\\*?#|@!:[]{}\"") {
		return container{}, "", false
	}
	cur := container{m: root}
	rest := dest
	for {
		k, after, more := strings.Cut(rest, ".")
		if !more {
			break
		}
		rest = after
		if k == "" {
			return container{}, "", false
		}
		next, ok := cur.get(k)
		if !ok {
			return container{}, "", false
		}
		switch n := next.(type) {
		case map[string]any:
			cur = container{m: n}
		case []any:
			cur = container{a: n}
		default:
			return container{}, "", false
		}
	}
	if rest == "" || cur.m == nil && cur.a == nil {
		return container{}, "", false
	}
	return cur, rest, true
}
