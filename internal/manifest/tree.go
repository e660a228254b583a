package manifest

import (
	"fmt"
	"math"

	yaml "go.yaml.in/yaml/v3"
)

// valueKind is the JSON kind of a value, named as messages name it.
type valueKind uint8

const (
	nullValue valueKind = iota
	boolValue
	intValue
	floatValue
	stringValue
	objectValue
	listValue
)

// String returns the word messages use for the kind.
func (k valueKind) String() string {
	switch k {
	case boolValue:
		return "boolean"
	case intValue:
		return "integer"
	case floatValue:
		return "number"
	case stringValue:
		return "string"
	case objectValue:
		return "object"
	case listValue:
		return "list"
	}
	return "null"
}

// value is one node of a document converted to JSON, with the position it
// came from. Scalars hold nil, bool, int64, uint64, float64 or string.
type value struct {
	kind         valueKind
	line, column int
	text         string // source text of a scalar, for messages
	scalar       any
	members      []member // objects, in source order with merges expanded
	items        []*value // lists
	err          string   // why this YAML has no JSON form; the value reads as null
}

// member is one key of an object.
type member struct {
	key          string
	line, column int // of the key
	value        *value
	merged       bool   // came in through a << merge key
	shadowed     bool   // a later member sets the same key, so this one is unused
	firstLine    int    // when > 0, an earlier key in the same mapping has the same name
	err          string // why the key has no JSON form
}

// maxAliasValues bounds how many values aliases may expand to in one
// document, so that a few lines of nested aliases cannot exhaust memory.
const maxAliasValues = 1 << 17

// errAliasExpansion is returned for documents whose aliases expand too much.
var errAliasExpansion = fmt.Errorf("aliases expand to more than %d values", maxAliasValues)

// converter turns a yaml.v3 node tree into values.
type converter struct {
	expanding  map[*yaml.Node]bool // anchors being expanded, to catch cycles
	aliasDepth int
	aliasCount int
}

// convertDocument converts the content of a document node.
func convertDocument(n *yaml.Node) (*value, error) {
	c := converter{expanding: map[*yaml.Node]bool{}}
	return c.convert(n)
}

func (c *converter) convert(n *yaml.Node) (*value, error) {
	if c.aliasDepth > 0 {
		c.aliasCount++
		if c.aliasCount > maxAliasValues {
			return nil, errAliasExpansion
		}
	}
	v := &value{line: n.Line, column: n.Column}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return v, nil
		}
		return c.convert(n.Content[0])
	case yaml.AliasNode:
		return c.alias(n)
	case yaml.ScalarNode:
		c.scalar(n, v)
	case yaml.SequenceNode:
		v.kind = listValue
		v.items = make([]*value, 0, len(n.Content))
		for _, item := range n.Content {
			iv, err := c.convert(item)
			if err != nil {
				return nil, err
			}
			v.items = append(v.items, iv)
		}
	case yaml.MappingNode:
		v.kind = objectValue
		if err := c.mapping(n, v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// alias converts the anchored node an alias points to, keeping the alias's
// own position for the value itself.
func (c *converter) alias(n *yaml.Node) (*value, error) {
	target := n.Alias
	if target == nil {
		return &value{line: n.Line, column: n.Column, err: "alias to an unknown anchor"}, nil
	}
	if c.expanding[target] {
		return nil, fmt.Errorf("line %d: alias *%s refers to a value that contains it", n.Line, n.Value)
	}
	c.expanding[target] = true
	c.aliasDepth++
	v, err := c.convert(target)
	c.aliasDepth--
	delete(c.expanding, target)
	if err != nil {
		return nil, err
	}
	// The value itself is where the alias is used; its content stays where
	// the anchor is.
	cp := *v
	cp.line, cp.column = n.Line, n.Column
	return &cp, nil
}

func (c *converter) scalar(n *yaml.Node, v *value) {
	v.text = n.Value
	s, err := resolveScalar(n)
	if err != nil {
		v.err = err.Error()
		return
	}
	v.scalar = s
	switch s := s.(type) {
	case nil:
		v.kind = nullValue
	case bool:
		v.kind = boolValue
	case int64, uint64:
		v.kind = intValue
	case float64:
		v.kind = floatValue
		if math.IsNaN(s) || math.IsInf(s, 0) {
			v.kind, v.scalar = nullValue, nil
			v.err = fmt.Sprintf("%s has no JSON form (JSON has no NaN or infinity)", n.Value)
		}
	case string:
		v.kind = stringValue
	}
}

// isMergeKey reports whether a mapping key is the YAML merge key <<.
func isMergeKey(k *yaml.Node) bool {
	if k.Kind != yaml.ScalarNode || k.Value != "<<" {
		return false
	}
	if k.Style&yaml.TaggedStyle != 0 {
		return k.Tag == tagMerge
	}
	return k.Style == 0
}

func (c *converter) mapping(n *yaml.Node, v *value) error {
	explicit := map[string]int{} // key -> line of its first explicit use
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if isMergeKey(k) {
			if err := c.merge(val, v); err != nil {
				return err
			}
			continue
		}
		m := member{line: k.Line, column: k.Column}
		m.key, m.err = keyString(k)
		mv, err := c.convert(val)
		if err != nil {
			return err
		}
		m.value = mv
		if m.err == "" {
			if first, ok := explicit[m.key]; ok {
				m.firstLine = first
			} else {
				explicit[m.key] = k.Line
			}
		}
		v.members = append(v.members, m)
	}
	markShadowed(v.members)
	return nil
}

// keyString returns the JSON key of a YAML mapping key.
func keyString(k *yaml.Node) (string, string) {
	for k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return "", "a mapping key must be a string, number or boolean"
	}
	s, err := resolveScalar(k)
	if err != nil {
		return k.Value, err.Error()
	}
	key, err := mapKey(s)
	if err != nil {
		return k.Value, err.Error()
	}
	return key, ""
}

// merge appends the members of the mapping (or list of mappings) given to a
// << key. Like yaml.v2, a merge sets its keys at the point it appears, and of
// a list of mappings the earlier ones win.
func (c *converter) merge(n *yaml.Node, into *value) error {
	var sources []*yaml.Node
	ok := true
	switch {
	case deref(n).Kind == yaml.MappingNode:
		sources = []*yaml.Node{n}
	case n.Kind == yaml.SequenceNode:
		// yaml.v2 takes a list written in place, not one behind an alias.
		for i := len(n.Content) - 1; i >= 0; i-- {
			s := n.Content[i]
			sources = append(sources, s)
			ok = ok && deref(s).Kind == yaml.MappingNode
		}
	default:
		ok = false
	}
	if !ok {
		into.members = append(into.members, member{
			key: "<<", line: n.Line, column: n.Column,
			value: &value{line: n.Line, column: n.Column},
			err:   "a << merge key needs a mapping or a list of mappings",
		})
		return nil
	}
	for _, s := range sources {
		sv, err := c.convert(s)
		if err != nil {
			return err
		}
		for _, m := range sv.members {
			if m.shadowed {
				continue
			}
			m.merged, m.firstLine = true, 0
			into.members = append(into.members, m)
		}
	}
	return nil
}

// deref follows aliases to the node they point to.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// markShadowed flags members that a later member with the same key replaces.
func markShadowed(ms []member) {
	last := make(map[string]int, len(ms))
	for i, m := range ms {
		if m.err == "" {
			last[m.key] = i
		}
	}
	for i := range ms {
		if ms[i].err == "" && last[ms[i].key] != i {
			ms[i].shadowed = true
		}
	}
}

// get returns the value of an object's key, or nil.
func (v *value) get(key string) *value {
	if m := v.member(key); m != nil {
		return m.value
	}
	return nil
}

// member returns the last member of an object with the given key, or nil.
func (v *value) member(key string) *member {
	if v == nil || v.kind != objectValue {
		return nil
	}
	for i := len(v.members) - 1; i >= 0; i-- {
		if m := &v.members[i]; m.err == "" && !m.shadowed && m.key == key {
			return m
		}
	}
	return nil
}

// str returns the value as a string and whether it is one.
func (v *value) str() (string, bool) {
	if v == nil || v.kind != stringValue {
		return "", false
	}
	s, ok := v.scalar.(string)
	return s, ok
}

// toAny returns the value as encoding/json would decode it into an untyped
// value (except that integers stay integers), ready for json.Marshal.
func (v *value) toAny() any {
	switch v.kind {
	case objectValue:
		m := make(map[string]any, len(v.members))
		for _, mem := range v.members {
			if !mem.shadowed && mem.err == "" {
				m[mem.key] = mem.value.toAny()
			}
		}
		return m
	case listValue:
		l := make([]any, len(v.items))
		for i, item := range v.items {
			l[i] = item.toAny()
		}
		return l
	}
	return v.scalar
}
