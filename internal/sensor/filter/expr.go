package filter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/Knetic/govaluate"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// Expressions are evaluated with github.com/Knetic/govaluate, the library
// and version (v3.0.1-0.20171022003610-9aa49832a739) Argo Events uses, so
// that every expression means what it means under Argo: its operators (==,
// !=, =~, !~, <, &&, ||, ?:, in, ...), its quoting, its number and string
// coercions and its error cases. A re-implementation or a translation to
// another language could only approximate that.

// exprGroup is the compiled `exprs` list with its logical operator.
type exprGroup struct {
	or      bool
	filters []exprFilter
}

// exprFilter is one compiled expression filter.
type exprFilter struct {
	name   string
	src    string
	fields []v1alpha1.PayloadField
	path   string // the fields as name=path, for reasons
	expr   *govaluate.EvaluableExpression
	err    error
}

func compileExprs(specs []v1alpha1.ExprFilter, op v1alpha1.LogicalOperator, problems *[]error) *exprGroup {
	g := &exprGroup{or: op == v1alpha1.OrLogicalOperator, filters: make([]exprFilter, len(specs))}
	for i, spec := range specs {
		f := &g.filters[i]
		*f = exprFilter{name: fmt.Sprintf("exprs[%d]", i), src: spec.Expr, fields: spec.Fields}
		parts := make([]string, len(spec.Fields))
		for j, field := range spec.Fields {
			parts[j] = field.Name + "=" + field.Path
		}
		f.path = strings.Join(parts, ", ")
		expr, err := parseExpr(spec.Expr)
		if err != nil {
			f.err = invalid("expression %q: %v", spec.Expr, err)
			*problems = append(*problems, evalErr(f.name, f.err))
			continue
		}
		f.expr = expr
	}
	return g
}

// eval applies the group to the event data with Argo's rules.
func (g *exprGroup) eval(in *input) outcome {
	if !in.hasData() {
		return passed
	}
	if !in.isJSON() {
		return errored(evalErr("exprs", ErrInvalidData))
	}
	out := combine(g.or, len(g.filters), func(i int) (bool, bool, Reason, error) { return g.filters[i].eval(in) })
	// Under "or", nothing passed (also when every expression was skipped or
	// the list is empty): say so.
	if g.or && !out.pass && len(out.errs) == 0 && len(out.reasons) == 0 {
		out.reasons = []Reason{{Filter: "exprs", Seen: "no expression with fields", Want: `one expression to be true (exprLogicalOperator "or")`}}
	}
	return out
}

// eval evaluates one expression. skip is true for an expression without
// fields, which Argo neither passes nor fails.
func (f *exprFilter) eval(in *input) (ok, skip bool, reason Reason, err error) {
	if len(f.fields) == 0 {
		return false, true, Reason{}, nil
	}
	params := exprParams{names: make([]string, len(f.fields)), values: make([]any, len(f.fields))}
	for i, field := range f.fields {
		res := in.get(field.Path)
		if !res.Exists() {
			return false, false, Reason{}, &missingPath{filter: f.name, path: field.Path, want: "true: " + f.src}
		}
		params.names[i], params.values[i] = field.Name, res.Value()
	}
	if f.err != nil {
		return false, false, Reason{}, evalErr(f.name, f.err)
	}
	result, err := evaluate(f.expr, params)
	if err != nil {
		return false, false, Reason{}, evalErr(f.name, err)
	}
	if result == true {
		return true, false, Reason{}, nil
	}
	return false, false, Reason{Filter: f.name, Path: f.path, Seen: params.describe(), Want: "true: " + f.src}, nil
}

// parseExpr parses an expression, turning a panic inside govaluate's lexer
// (which some malformed expressions cause) into an error.
func parseExpr(src string) (expr *govaluate.EvaluableExpression, err error) {
	defer func() {
		if r := recover(); r != nil {
			expr, err = nil, fmt.Errorf("parsing expression: panic: %v", r)
		}
	}()
	return govaluate.NewEvaluableExpression(src)
}

// evaluate runs the expression, turning a panic inside govaluate into an
// error.
func evaluate(expr *govaluate.EvaluableExpression, params exprParams) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			result, err = nil, fmt.Errorf("evaluating expression: panic: %v", r)
		}
	}()
	return expr.Eval(params)
}

// exprParams holds the field values of one evaluation. A name given twice
// takes the last value, as in the map Argo builds.
type exprParams struct {
	names  []string
	values []any
}

var _ govaluate.Parameters = exprParams{}

// Get returns the value of the named field, with govaluate's own error for
// an unknown name.
func (p exprParams) Get(name string) (any, error) {
	for i := len(p.names) - 1; i >= 0; i-- {
		if p.names[i] == name {
			return p.values[i], nil
		}
	}
	return nil, errors.New("No parameter '" + name + "' found.")
}

// describe renders the values for Reason.Seen, e.g. `a="x", c=10`.
func (p exprParams) describe() string {
	var b strings.Builder
	for i, name := range p.names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(name)
		b.WriteByte('=')
		switch v := p.values[i].(type) {
		case string:
			b.WriteString(strconv.Quote(v))
		default:
			fmt.Fprint(&b, v)
		}
	}
	return seen(b.String())
}

// CheckExpr reports whether src parses as an exprs filter expression (the
// govaluate syntax Argo Events uses), for lint; the error says why not.
func CheckExpr(src string) error {
	_, err := parseExpr(src)
	return err
}
