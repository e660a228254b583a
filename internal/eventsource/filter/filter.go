// Package filter evaluates an EventSource's filter.expression: the
// expression each event's data must satisfy to be published.
//
// As in Argo Events, the expression is written in the expr language
// (github.com/expr-lang/expr, the library Argo uses for it; not govaluate,
// which Sensor exprs filters use) and is evaluated over the event data
// decoded as a JSON object, e.g. `body.id == 4 && body.name != 'Joe'` for a
// webhook. Before evaluation, a "-" in a top-level key becomes "_" (so
// `x-id` is read as `x_id`) and top-level keys with dots are expanded into
// nested objects (`{"a.b": 1}` is read as `a.b`). The functions asInt,
// asFloat, string and toJson and the sprig functions (under `sprig.`, e.g.
// `sprig.upper(body.name)`) are available, as in Argo; Argo's jsonpath
// function is not.
//
// An event whose data is not a JSON object, or for which the expression
// fails or does not give a boolean, does not match.
package filter

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/Masterminds/sprig/v3"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// Filter is a compiled filter expression, safe for concurrent use.
type Filter struct {
	src     string
	program *vm.Program
}

// ErrUnsupported is wrapped by Check's error for what Argo Events evaluates
// but Herald does not.
var ErrUnsupported = errors.New("not supported by Herald")

// ErrNotObject is returned by Match for event data that is not a JSON object.
var ErrNotObject = errors.New("event data is not a JSON object")

// Compile parses expression the way Argo evaluates it (parsed and compiled
// without knowing the event, run over each event's data).
func Compile(expression string) (*Filter, error) {
	tree, err := parser.Parse(expression)
	if err != nil {
		hint := ""
		if strings.Contains(expression, "=~") || strings.Contains(expression, "!~") {
			hint = " (filter expressions are written in the expr language: use matches, not govaluate's =~)"
		}
		return nil, fmt.Errorf("parsing expression: %s%s", firstLine(err), hint)
	}
	program, err := compiler.Compile(tree, nil)
	if err != nil {
		return nil, fmt.Errorf("compiling expression: %s", firstLine(err))
	}
	return &Filter{src: expression, program: program}, nil
}

// Check reports, for lint, why expression cannot work: it does not parse,
// its result is known not to be a boolean, or it calls a function Herald
// does not provide.
func Check(expression string) error {
	if strings.TrimSpace(expression) == "" {
		return errors.New("expression is empty")
	}
	if _, err := Compile(expression); err != nil {
		return err
	}
	if _, err := expr.Compile(expression, expr.AsBool()); err != nil {
		return fmt.Errorf("checking expression: %s", firstLine(err))
	}
	tree, _ := parser.Parse(expression)
	switch name := unknownCall(tree.Node); {
	case name == "jsonpath":
		return fmt.Errorf("function %s (Argo Events' JSONPath lookup) is %w; use a member path such as body.a.b", name, ErrUnsupported)
	case name != "":
		return fmt.Errorf("function %s does not exist", name)
	}
	return nil
}

// Match evaluates the filter over the event data. It returns false with an
// error when the data is not a JSON object or the expression fails or does
// not give a boolean.
func (f *Filter) Match(data []byte) (bool, error) {
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return false, ErrNotObject
	}
	out, err := expr.Run(f.program, env(obj))
	if err != nil {
		return false, fmt.Errorf("evaluating %q: %s", f.src, firstLine(err))
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("evaluating %q: result %v is a %T, not a boolean", f.src, out, out)
	}
	return b, nil
}

// String returns the expression.
func (f *Filter) String() string { return f.src }

// env builds what the expression sees: the data's top-level keys with "-"
// turned into "_" and dotted keys expanded, and the functions.
func env(data map[string]any) map[string]any {
	flat := make(map[string]any, len(data))
	for k, v := range data {
		flat[strings.ReplaceAll(k, "-", "_")] = v
	}
	out := expand(flat)
	for name, fn := range functions {
		out[name] = fn
	}
	return out
}

// expand nests the values of dotted keys: {"a.b": 1} becomes {"a": {"b":
// 1}}. A key that another key extends ("a" next to "a.b") is dropped, the
// more specific one winning. Only top-level keys are expanded.
func expand(m map[string]any) map[string]any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make(map[string]any, len(m))
	for i, k := range keys {
		if i+1 < len(keys) && strings.HasPrefix(keys[i+1], k+".") {
			continue
		}
		parts := strings.Split(k, ".")
		node := out
		for _, p := range parts[:len(parts)-1] {
			child, ok := node[p].(map[string]any)
			if !ok {
				child = map[string]any{}
				node[p] = child
			}
			node = child
		}
		node[parts[len(parts)-1]] = m[k]
	}
	return out
}

// functions are the functions Argo puts in the environment, but jsonpath.
var functions = map[string]any{
	"asInt":   asInt,
	"asFloat": asFloat,
	"string":  func(v any) string { return fmt.Sprint(v) },
	"toJson":  toJSON,
	"sprig":   sprigFuncs(),
}

// sprigFuncs returns sprig's functions without those reading the process
// environment.
func sprigFuncs() map[string]any {
	m := map[string]any{}
	for name, fn := range sprig.GenericFuncMap() {
		if name != "env" && name != "expandenv" {
			m[name] = fn
		}
	}
	return m
}

func asInt(v any) (int64, error) {
	switch n := v.(type) {
	case float64:
		return int64(n), nil
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("asInt(%q): %w", n, err)
		}
		return i, nil
	}
	return 0, fmt.Errorf("asInt: cannot convert %T", v)
}

func asFloat(v any) (float64, error) {
	switch n := v.(type) {
	case float64:
		return n, nil
	case int:
		return float64(n), nil
	case int64:
		return float64(n), nil
	case string:
		f, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return 0, fmt.Errorf("asFloat(%q): %w", n, err)
		}
		return f, nil
	}
	return 0, fmt.Errorf("asFloat: cannot convert %T", v)
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// unknownCall returns the name of a function the expression calls that is
// neither an expr builtin nor one of functions (Argo's jsonpath, say), or "".
func unknownCall(root ast.Node) string {
	v := &callFinder{}
	ast.Walk(&root, v)
	return v.name
}

type callFinder struct{ name string }

func (c *callFinder) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok || c.name != "" {
		return
	}
	if id, ok := call.Callee.(*ast.IdentifierNode); ok {
		if _, known := functions[id.Value]; !known {
			c.name = id.Value
		}
	}
}

// firstLine drops the source excerpt expr adds under its messages.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
