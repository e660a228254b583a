package jqlimit

import (
	"math/big"
	"strings"

	"github.com/itchyny/gojq"
)

// opFunc is what rewrite turns `l OP r` into: a call of the checked
// operator's Go function (see ops), or of the prelude's _assign.
var opFunc = map[gojq.Operator]string{
	gojq.OpAdd: "_jqlimit_add", gojq.OpMul: "_jqlimit_multiply", gojq.OpSub: "_jqlimit_subtract",
	gojq.OpEq: "_jqlimit_equal", gojq.OpNe: "_jqlimit_notequal", gojq.OpGt: "_jqlimit_greater",
	gojq.OpLt: "_jqlimit_less", gojq.OpGe: "_jqlimit_greatereq", gojq.OpLe: "_jqlimit_lesseq",
	// gojq compiles `.[0] = v` as a direct setpath, past the check.
	gojq.OpAssign: "_assign",
}

// rewrite replaces, everywhere in q, the checked binary operators by calls
// of their checked functions. gojq compiles `l + r` as a direct call of its
// builtin, which nothing could intercept.
func rewrite(q *gojq.Query) {
	if q == nil {
		return
	}
	for _, fd := range q.FuncDefs {
		rewrite(fd.Body)
	}
	rewrite(q.Left)
	rewrite(q.Right)
	rewriteTerm(q.Term)
	if q.Op == gojq.OpAssign && !strings.ContainsAny(q.Left.String(), "0123456789") {
		// Without a number in its path, `p = v` sets string keys (cheap) or
		// goes through _assign anyway; keep gojq's fast form.
		return
	}
	if name, ok := opFunc[q.Op]; ok && q.Left != nil && q.Right != nil {
		q.Term = &gojq.Term{Type: gojq.TermTypeFunc, Func: &gojq.Func{Name: name, Args: []*gojq.Query{q.Left, q.Right}}}
		q.Left, q.Right, q.Op = nil, nil, 0
	}
}

func rewriteTerm(t *gojq.Term) {
	if t == nil {
		return
	}
	rewriteIndex(t.Index)
	if t.Func != nil {
		for _, a := range t.Func.Args {
			rewrite(a)
		}
	}
	if t.Object != nil {
		for _, kv := range t.Object.KeyVals {
			rewriteString(kv.KeyString)
			rewrite(kv.KeyQuery)
			rewrite(kv.Val)
		}
	}
	if t.Array != nil {
		rewrite(t.Array.Query)
	}
	if t.Unary != nil {
		rewriteTerm(t.Unary.Term)
	}
	rewriteString(t.Str)
	if t.If != nil {
		rewrite(t.If.Cond)
		rewrite(t.If.Then)
		for _, e := range t.If.Elif {
			rewrite(e.Cond)
			rewrite(e.Then)
		}
		rewrite(t.If.Else)
	}
	if t.Try != nil {
		rewrite(t.Try.Body)
		rewrite(t.Try.Catch)
	}
	if t.Reduce != nil {
		rewrite(t.Reduce.Query)
		rewrite(t.Reduce.Start)
		rewrite(t.Reduce.Update)
	}
	if t.Foreach != nil {
		rewrite(t.Foreach.Query)
		rewrite(t.Foreach.Start)
		rewrite(t.Foreach.Update)
		rewrite(t.Foreach.Extract)
	}
	if t.Label != nil {
		rewrite(t.Label.Body)
	}
	rewrite(t.Query)
	for _, s := range t.SuffixList {
		rewriteIndex(s.Index)
	}
}

func rewriteIndex(x *gojq.Index) {
	if x == nil {
		return
	}
	rewriteString(x.Str)
	rewrite(x.Start)
	rewrite(x.End)
}

func rewriteString(s *gojq.String) {
	if s == nil {
		return
	}
	for _, q := range s.Queries {
		rewrite(q)
	}
}

// maxDepth bounds the nesting withinBudget follows.
const maxDepth = 10000

// withinBudget reports whether v, written as JSON, is at most budget bytes
// (a lower bound of its size is counted) and nests at most maxDepth deep.
// It stops as soon as the budget is passed, so it costs at most the budget.
func withinBudget(v any, budget int) bool {
	n := 0
	var walk func(v any, depth int) bool
	walk = func(v any, depth int) bool {
		if depth > maxDepth {
			return false
		}
		switch v := v.(type) {
		case string:
			n += len(v) + 2
		case *big.Int:
			n += len(v.Bits()) * 8
		case []any:
			n += 1 + len(v)
			if n > budget {
				return false
			}
			for _, e := range v {
				if !walk(e, depth+1) {
					return false
				}
			}
		case map[string]any:
			n += 1 + len(v)
			if n > budget {
				return false
			}
			for k, e := range v {
				n += len(k) + 3
				if !walk(e, depth+1) {
					return false
				}
			}
		default:
			n++
		}
		return n <= budget
	}
	return walk(v, 0)
}
