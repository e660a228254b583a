// Package jqlimit compiles jq programs (gojq) whose values cannot grow past
// a size budget in a single step.
//
// gojq checks its context between the steps of a program, so a time limit
// stops every loop written in jq. What it cannot stop is one step that does
// an enormous amount of work: `"x" * 1e9` builds a gigabyte string in one
// call, `.[500000000] = 1` allocates an array of half a billion elements, and
// a value that holds itself twice at each of 40 levels (`reduce range(40) as
// $i (1; [., .])`, cheap to build because the halves are shared) makes
// tojson, flatten, ==, sort or contains walk 2^40 nodes. Such a step ignores
// the deadline and can exhaust memory.
//
// Compile closes those doors without changing what a program means: the
// operators + - * and the comparisons, the assignments (= |= += ...),
// setpath and the builtins that walk or copy a whole value run behind a
// check that refuses, with an error wrapping ErrTooLarge, a step whose
// operands or result would be larger than the budget. The check walks at
// most the budget, so it is bounded too. Operators are rewritten in the
// parsed program as calls of Go functions (ops.go) that compute the common
// cases (numbers, short strings, scalar comparisons) themselves and hand the
// rest to gojq's own operator after the check; builtins are shadowed by jq
// definitions of the same name (gojq looks a program's definitions up before
// its builtins) that check, then call the builtin.
package jqlimit

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/itchyny/gojq"
)

// ErrTooLarge is wrapped by the error of a step refused for its size.
var ErrTooLarge = errors.New("jq value larger than the limit")

// MinBudget is the smallest budget Compile uses.
const MinBudget = 1 << 20

// guarded are the builtins that walk or copy a whole value, redefined to
// check it first: their input, and the arguments of those whose arguments
// are values (byValue).
var guarded = []struct {
	name    string
	args    int
	byValue bool
}{
	{"tojson", 0, false},
	{"tostring", 0, false},
	{"flatten", 0, false},
	{"flatten", 1, false},
	{"sort", 0, false},
	{"sort_by", 1, false},
	{"group_by", 1, false},
	{"unique", 0, false},
	{"unique_by", 1, false},
	{"min", 0, false},
	{"max", 0, false},
	{"min_by", 1, false},
	{"max_by", 1, false},
	{"add", 0, false},
	{"tostream", 0, false},
	{"implode", 0, false},
	{"transpose", 0, false},
	{"to_entries", 0, false},
	{"contains", 1, true},
	{"inside", 1, true},
	{"indices", 1, true},
	{"index", 1, true},
	{"rindex", 1, true},
	{"join", 1, true},
}

// prelude defines the checked operators and builtins. The first block keeps
// the builtins under other names (a definition's body is compiled before
// the later definitions exist, so `def __jqlimit_sort: sort;` is the
// builtin); the second shadows them. _assign and _modify are jq's own
// definitions of = and |= (gojq compiles them itself), with the path check.
var prelude = sync.OnceValue(func() string {
	var b strings.Builder
	params := func(n int) string {
		if n == 0 {
			return ""
		}
		return "(a0)"
	}
	for _, g := range guarded {
		fmt.Fprintf(&b, "def __jqlimit_%s%s: %s%s;\n", g.name, params(g.args), g.name, params(g.args))
	}
	b.WriteString("def __jqlimit_setpath(p; v): setpath(p; v);\n")
	for _, g := range guarded {
		if g.byValue {
			fmt.Fprintf(&b, "def %s(a0): a0 as $a | _jqlimit_deep(.; $a) | __jqlimit_%s($a);\n", g.name, g.name)
			continue
		}
		fmt.Fprintf(&b, "def %s%s: _jqlimit_size | __jqlimit_%s%s;\n", g.name, params(g.args), g.name, params(g.args))
	}
	b.WriteString(`def setpath(p; v): p as $p | _jqlimit_path($p) | __jqlimit_setpath($p; v);
def _assign(paths; $value): reduce path(paths) as $p (.; _jqlimit_path($p) | __jqlimit_setpath($p; $value));
def _modify(paths; update): reduce path(paths) as $p (.; . as $x | _jqlimit_path($p) | label $out | (__jqlimit_setpath($p; $x | getpath($p) | update) | ., break $out), delpaths([$p]));
`)
	for _, o := range ops {
		fmt.Fprintf(&b, "def %s(l; r): _jqlimit%s(l; r);\n", o.name, o.name)
	}
	b.WriteString(".")
	return b.String()
})

// Compile parses and compiles src with the checks, for values up to budget
// bytes (counted as their JSON encoding; at least MinBudget). opts are
// passed on to gojq.Compile.
func Compile(src string, budget int, opts ...gojq.CompilerOption) (*gojq.Code, error) {
	query, err := gojq.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("parsing: %w", err)
	}
	pre, err := gojq.Parse(prelude())
	if err != nil {
		return nil, fmt.Errorf("parsing the jqlimit prelude: %w", err)
	}
	rewrite(query)
	query.FuncDefs = append(pre.FuncDefs, query.FuncDefs...)
	c := checker{budget: max(budget, MinBudget)}
	opts = append(opts,
		gojq.WithFunction("_jqlimit_size", 0, 0, func(v any, _ []any) any { return c.deep(v, v) }),
		gojq.WithFunction("_jqlimit_path", 1, 1, func(v any, a []any) any { return c.path(v, a[0]) }),
		gojq.WithFunction("_jqlimit_deep", 2, 2, func(v any, a []any) any { return c.deep(v, a[0], a[1]) }),
	)
	for _, o := range ops {
		opts = append(opts, gojq.WithFunction("_jqlimit"+o.name, 2, 2, o.function(c)))
	}
	code, err := gojq.Compile(query, opts...)
	if err != nil {
		return nil, fmt.Errorf("compiling: %w", err)
	}
	return code, nil
}

// checker holds the budget of one compiled program.
type checker struct{ budget int }

func (c checker) tooLarge(what string) error {
	return fmt.Errorf("%w: %s past %d bytes", ErrTooLarge, what, c.budget)
}

// deep returns v when each of vs is within the budget, an error otherwise.
func (c checker) deep(v any, vs ...any) any {
	for _, x := range vs {
		if !withinBudget(x, c.budget) {
			return c.tooLarge("value")
		}
	}
	return v
}

// checkAdd checks the size of l + r for strings, arrays and objects.
func (c checker) checkAdd(l, r any) error {
	if topSize(l)+topSize(r) > c.budget {
		return c.tooLarge("sum")
	}
	return nil
}

// checkMul checks string repetition and the deep merge of objects.
func (c checker) checkMul(l, r any) error {
	s, n := stringTimes(l, r)
	if s == nil {
		s, n = stringTimes(r, l)
	}
	if s != nil {
		if n > 0 && float64(len(*s))*n > float64(c.budget) {
			return c.tooLarge("repeated string")
		}
		return nil
	}
	if _, ok := l.(map[string]any); ok {
		return c.checkDeep(l, r)
	}
	return nil
}

// checkDeep checks that both operands are within the budget.
func (c checker) checkDeep(l, r any) error {
	if !withinBudget(l, c.budget) || !withinBudget(r, c.budget) {
		return c.tooLarge("value")
	}
	return nil
}

// path refuses a path with an array index past budget/16, the largest array
// a budget holds.
func (c checker) path(v, p any) any {
	steps, ok := p.([]any)
	if !ok {
		return v
	}
	for _, s := range steps {
		var f float64
		switch s := s.(type) {
		case int:
			f = float64(s)
		case float64:
			f = s
		case map[string]any: // a slice {start, end}
			for _, k := range []string{"start", "end"} {
				if n, ok := s[k].(float64); ok {
					f = math.Max(f, math.Abs(n))
				}
				if n, ok := s[k].(int); ok {
					f = math.Max(f, math.Abs(float64(n)))
				}
			}
		default:
			continue
		}
		if f > float64(c.budget/16) {
			return c.tooLarge(fmt.Sprintf("array index %g", f))
		}
	}
	return v
}

func stringTimes(a, b any) (*string, float64) {
	s, ok := a.(string)
	if !ok {
		return nil, 0
	}
	switch n := b.(type) {
	case int:
		return &s, float64(n)
	case float64:
		return &s, n
	}
	return nil, 0
}

// topSize is the size of a string, and the element count of an array or
// object: what + copies.
func topSize(v any) int {
	switch v := v.(type) {
	case string:
		return len(v)
	case []any:
		return 16 * len(v)
	case map[string]any:
		return 16 * len(v)
	}
	return 0
}
