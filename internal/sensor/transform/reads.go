package transform

import (
	"strings"

	"github.com/itchyny/gojq"
)

// inputKeys is what a jq program may look at in its input: only the
// members named in keys, or everything (all).
//
// A typical transform sets one field of a large event (`.operation =
// {...}[.type]`): the other members (the whole Kubernetes object in
// `body`) pass through untouched. Knowing that, the decoder leaves them
// undecoded and encode copies their bytes, which is most of the cost of a
// transform saved.
//
// The analysis only has to be safe, not precise: it over-approximates. Every
// sub-program is treated as if it ran on the input itself (so `.a | .b`
// counts b too), any use of the input as a whole (`.`, `..`, a function
// applied to it, a dynamic index) means all, and so does anything it does
// not know. A member never named can then only reach the output through a
// copy of the input object (an assignment), which does not look inside it.
type inputKeys struct {
	all  bool
	keys map[string]bool
}

// readsOf analyses a parsed program.
func readsOf(q *gojq.Query) inputKeys {
	r := inputKeys{keys: map[string]bool{}}
	r.query(q)
	if r.all {
		r.keys = nil
	}
	return r
}

// needs reports whether the member k of the input must be decoded.
func (r inputKeys) needs(k string) bool { return r.all || r.keys[k] }

func (r *inputKeys) query(q *gojq.Query) {
	if q == nil || r.all {
		return
	}
	if q.Meta != nil || len(q.Imports) > 0 || len(q.FuncDefs) > 0 {
		r.all = true
		return
	}
	for _, p := range q.Patterns {
		r.pattern(p)
	}
	r.term(q.Term)
	r.query(q.Left)
	r.query(q.Right)
}

// pattern allows plain variables only (`E as $x`); destructuring may index
// with expressions.
func (r *inputKeys) pattern(p *gojq.Pattern) {
	if p == nil || len(p.Array) > 0 || len(p.Object) > 0 {
		r.all = true
	}
}

// inputFree are the functions that do not read their input.
var inputFree = map[string]bool{"empty": true, "now": true, "null": true, "true": true, "false": true, "env": true}

func (r *inputKeys) term(t *gojq.Term) {
	if t == nil || r.all {
		return
	}
	switch t.Type {
	case gojq.TermTypeNull, gojq.TermTypeTrue, gojq.TermTypeFalse, gojq.TermTypeNumber, gojq.TermTypeBreak:
	case gojq.TermTypeIndex:
		r.index(t.Index)
	case gojq.TermTypeFunc:
		r.function(t.Func)
	case gojq.TermTypeObject:
		r.object(t.Object)
	case gojq.TermTypeArray:
		if t.Array != nil {
			r.query(t.Array.Query)
		}
	case gojq.TermTypeUnary:
		if t.Unary != nil {
			r.term(t.Unary.Term)
		}
	case gojq.TermTypeString:
		r.str(t.Str)
	case gojq.TermTypeIf:
		r.query(t.If.Cond)
		r.query(t.If.Then)
		for _, e := range t.If.Elif {
			r.query(e.Cond)
			r.query(e.Then)
		}
		r.query(t.If.Else)
	case gojq.TermTypeTry:
		r.query(t.Try.Body)
		r.query(t.Try.Catch)
	case gojq.TermTypeReduce:
		for _, p := range t.Reduce.Patterns {
			r.pattern(p)
		}
		r.query(t.Reduce.Query)
		r.query(t.Reduce.Start)
		r.query(t.Reduce.Update)
	case gojq.TermTypeForeach:
		for _, p := range t.Foreach.Patterns {
			r.pattern(p)
		}
		r.query(t.Foreach.Query)
		r.query(t.Foreach.Start)
		r.query(t.Foreach.Update)
		r.query(t.Foreach.Extract)
	case gojq.TermTypeLabel:
		r.query(t.Label.Body)
	case gojq.TermTypeQuery:
		r.query(t.Query)
	default: // ., .., @format and whatever comes later
		r.all = true
	}
	for _, s := range t.SuffixList {
		if s.Index != nil {
			// `.a[E]`: E runs on the input too.
			r.query(s.Index.Start)
			r.query(s.Index.End)
			if s.Index.Str != nil {
				r.str(s.Index.Str)
			}
		}
	}
}

// index is `.name`, `."name"` or `.[E]` applied to the input.
func (r *inputKeys) index(x *gojq.Index) {
	switch {
	case x == nil || x.IsSlice || x.End != nil:
		r.all = true
	case x.Name != "":
		r.keys[x.Name] = true
	case x.Str != nil && len(x.Str.Queries) == 0:
		r.keys[x.Str.Str] = true
	case x.Start != nil:
		if k, ok := literalString(x.Start); ok {
			r.keys[k] = true
		} else {
			r.all = true
		}
	default:
		r.all = true
	}
}

// literalString is the string of a query that is a string literal alone.
func literalString(q *gojq.Query) (string, bool) {
	if q.Term == nil || q.Left != nil || q.Right != nil || q.Term.Type != gojq.TermTypeString ||
		len(q.Term.SuffixList) > 0 || q.Term.Str == nil || len(q.Term.Str.Queries) > 0 {
		return "", false
	}
	return q.Term.Str.Str, true
}

func (r *inputKeys) function(f *gojq.Func) {
	if f == nil {
		r.all = true
		return
	}
	if !strings.HasPrefix(f.Name, "$") && !inputFree[f.Name] {
		r.all = true // a function runs on its input: the whole of it here
		return
	}
	for _, a := range f.Args {
		r.query(a)
	}
}

func (r *inputKeys) object(o *gojq.Object) {
	if o == nil {
		return
	}
	for _, kv := range o.KeyVals {
		r.query(kv.KeyQuery)
		r.str(kv.KeyString)
		if kv.Val != nil {
			r.query(kv.Val)
			continue
		}
		// `{name}` is `{name: .name}`; `{$x}` is a variable.
		switch {
		case kv.Key != "" && !strings.HasPrefix(kv.Key, "$"):
			r.keys[kv.Key] = true
		case kv.KeyString != nil && len(kv.KeyString.Queries) == 0:
			r.keys[kv.KeyString.Str] = true
		case kv.Key == "":
			r.all = true
		}
	}
}

func (r *inputKeys) str(s *gojq.String) {
	if s == nil {
		return
	}
	for _, q := range s.Queries {
		r.query(q)
	}
}
