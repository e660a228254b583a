package jqlimit

import (
	"fmt"
	"sync"

	"github.com/itchyny/gojq"
)

// op is one checked binary operator: `l OP r` is rewritten as a call of the
// Go function fn (named "_jqlimit" + name), which gojq evaluates with the
// same argument order as the operator. Update operators (`+=`) call the
// builtin through a definition with the builtin's name, which calls fn too.
type op struct {
	name    string // gojq's name of the builtin, e.g. "_add"
	symbol  string // the jq operator
	checkFn func(c checker, l, r any) error
	fast    func(l, r any) (any, bool) // computes common cases directly
}

var ops = []op{
	{"_add", "+", checker.checkAdd, fastAdd},
	{"_multiply", "*", checker.checkMul, fastMul},
	{"_subtract", "-", checker.checkDeep, fastSub},
	{"_equal", "==", checker.checkDeep, compareWith(func(c int) bool { return c == 0 })},
	{"_notequal", "!=", checker.checkDeep, compareWith(func(c int) bool { return c != 0 })},
	{"_greater", ">", checker.checkDeep, compareWith(func(c int) bool { return c > 0 })},
	{"_less", "<", checker.checkDeep, compareWith(func(c int) bool { return c < 0 })},
	{"_greatereq", ">=", checker.checkDeep, compareWith(func(c int) bool { return c >= 0 })},
	{"_lesseq", "<=", checker.checkDeep, compareWith(func(c int) bool { return c <= 0 })},
}

// fallbacks are the builtin operators compiled alone on [l, r], for the
// cases fast does not handle.
var fallbacks = sync.OnceValue(func() map[string]*gojq.Code {
	out := map[string]*gojq.Code{}
	for _, o := range ops {
		q, err := gojq.Parse(".[0] " + o.symbol + " .[1]")
		if err != nil {
			panic(fmt.Sprintf("jqlimit: parsing the %s fallback: %v", o.symbol, err))
		}
		code, err := gojq.Compile(q)
		if err != nil {
			panic(fmt.Sprintf("jqlimit: compiling the %s fallback: %v", o.symbol, err))
		}
		out[o.name] = code
	}
	return out
})

// function is the Go function behind o for a program with checker c.
func (o op) function(c checker) func(any, []any) any {
	fallback := fallbacks()[o.name]
	return func(_ any, args []any) any {
		l, r := args[0], args[1]
		if v, ok := o.fast(l, r); ok {
			return v
		}
		if err := o.checkFn(c, l, r); err != nil {
			return err
		}
		v, ok := fallback.Run([]any{l, r}).Next()
		if !ok {
			return nil
		}
		return v
	}
}

// compareWith computes a comparison with gojq's own ordering (what its
// comparison operators use) when both operands are scalars; containers go
// through the check first.
func compareWith(test func(int) bool) func(l, r any) (any, bool) {
	return func(l, r any) (any, bool) {
		if !scalar(l) || !scalar(r) {
			return nil, false
		}
		return test(gojq.Compare(l, r)), true
	}
}

func scalar(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return false
	}
	return true
}

// fastAdd adds numbers (no int overflow), and strings within MinBudget.
func fastAdd(l, r any) (any, bool) {
	switch l := l.(type) {
	case float64:
		if r, ok := toFloat(r); ok {
			return l + r, true
		}
	case int:
		switch r := r.(type) {
		case int:
			if v := l + r; (v >= l) == (r >= 0) {
				return v, true
			}
		case float64:
			return float64(l) + r, true
		}
	case string:
		if r, ok := r.(string); ok && len(l)+len(r) <= MinBudget {
			return l + r, true
		}
	}
	return nil, false
}

// fastSub subtracts numbers (no int overflow).
func fastSub(l, r any) (any, bool) {
	switch l := l.(type) {
	case float64:
		if r, ok := toFloat(r); ok {
			return l - r, true
		}
	case int:
		switch r := r.(type) {
		case int:
			if v := l - r; (v <= l) == (r >= 0) {
				return v, true
			}
		case float64:
			return float64(l) - r, true
		}
	}
	return nil, false
}

// fastMul multiplies numbers (no int overflow).
func fastMul(l, r any) (any, bool) {
	switch l := l.(type) {
	case float64:
		if r, ok := toFloat(r); ok {
			return l * r, true
		}
	case int:
		switch r := r.(type) {
		case int:
			if r == -1 || r == 0 {
				return nil, false
			}
			if v := l * r; v/r == l {
				return v, true
			}
		case float64:
			return float64(l) * r, true
		}
	}
	return nil, false
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	}
	return 0, false
}
