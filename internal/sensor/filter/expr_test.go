package filter

import (
	"testing"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

func expr(e string, fields ...string) v1alpha1.ExprFilter {
	f := v1alpha1.ExprFilter{Expr: e}
	for i := 0; i+1 < len(fields); i += 2 {
		f.Fields = append(f.Fields, v1alpha1.PayloadField{Name: fields[i], Path: fields[i+1]})
	}
	return f
}

func exprCase(name string, op v1alpha1.LogicalOperator, ev *event.Event, pass bool, filters ...v1alpha1.ExprFilter) matchCase {
	return matchCase{
		name:    name,
		filters: &v1alpha1.EventDependencyFilter{Exprs: filters, ExprLogicalOperator: op},
		event:   ev,
		pass:    pass,
	}
}

// The cases of Argo's TestFilterExpr (filter_expr_test.go), then the
// govaluate syntax Argo's examples and docs use.
func TestMatchExprs(t *testing.T) {
	and, or, none := v1alpha1.AndLogicalOperator, v1alpha1.OrLogicalOperator, v1alpha1.EmptyLogicalOperator
	xy := newEvent(`{"a": {"b": "x", "d": "y"}}`)
	xde := newEvent(`{"a": {"b": "x", "d": {"e": true}}}`)
	runMatchCases(t, []matchCase{
		withErr(exprCase("data that is not JSON", none, newEvent("a"), false, expr(`a == "b"`, "a", "a")), "exprs: event data is not valid JSON", ErrInvalidData),
		exprCase("no data passes", none, newEvent(""), true, expr(`a == "b"`, "a", "a")),
		exprCase("string equal", none, newEvent(`{"a": "b"}`), true, expr(`a == "b"`, "a", "a")),
		exprCase("string different", none, newEvent(`{"a": "c"}`), true, expr(`a != "b"`, "a", "a")),
		exprCase("nested string equal", none, newEvent(`{"a": {"b": "c"}}`), false, expr(`b == "b"`, "b", "a.b")),
		exprCase("number equal", none, newEvent(`{"a": {"b": 2}}`), true, expr(`b == 2`, "b", "a.b")),
		exprCase("number less than", none, newEvent(`{"a": {"b": 2}}`), false, expr(`b < 1`, "b", "a.b")),
		exprCase("regex", none, newEvent(`{"a": {"b": "start long string"}}`), true, expr(`b =~ "start"`, "b", "a.b")),
		exprCase("negated regex", none, newEvent(`{"a": {"b": "long string"}}`), true, expr(`b !~ "start"`, "b", "a.b")),
		exprCase("several, empty operator", none, xy, true, expr(`b == "x"`, "b", "a.b"), expr(`d == "y"`, "d", "a.d")),
		exprCase("several, and", and, xy, false, expr(`b == "x"`, "b", "a.b"), expr(`d == "d"`, "d", "a.d")),
		exprCase("several, or", or, xy, true, expr(`b == "x"`, "b", "a.b"), expr(`d == "d"`, "d", "a.d")),
		withReasons(exprCase("or, one field missing", or, xy, false, expr(`b == "b"`, "b", "a.b"), expr(`c == "c"`, "c", "a.c")),
			Reason{Filter: "exprs[0]", Path: "b=a.b", Seen: `b="x"`, Want: `true: b == "b"`},
			Reason{Filter: "exprs[1]", Path: "a.c", Seen: Missing, Want: `true: c == "c"`}),
		exprCase("or, missing field not reached", or, xde, true, expr(`b == "x"`, "b", "a.b"), expr(`c == "c"`, "c", "a.c"), expr(`e == true`, "e", "a.d.e")),
		exprCase("empty operator, false before a missing field", none, xy, false, expr(`b == "b"`, "b", "a.b"), expr(`c == "c"`, "c", "a.c")),
		withReasons(exprCase("empty operator, missing field", none, xy, false, expr(`b == "x"`, "b", "a.b"), expr(`c == "c"`, "c", "a.c")),
			Reason{Filter: "exprs[1]", Path: "a.c", Seen: Missing, Want: `true: c == "c"`}),
		exprCase("and, missing field", and, xde, false, expr(`b == "x"`, "b", "a.b"), expr(`c == "c"`, "c", "a.c"), expr(`e == true`, "e", "a.d.e")),
		exprCase("&& inside, missing field", none, newEvent(`{"a": {"b": "x", "c": {"d": true}}}`), false, expr(`b != "b" && d == true`, "b", "a.b", "d", "a.d")),
		exprCase("&& inside", or, newEvent(`{"a": {"b": "x", "c": {"d": true}}}`), true, expr(`b != "b" && d == true`, "b", "a.b", "d", "a.c.d")),
		exprCase("|| inside", none, newEvent(`{"a": {"b": "b", "c": {"d": false}}}`), true, expr(`b == "b" || d == true`, "b", "a.b", "d", "a.c.d")),
		exprCase("|| short-circuits an unknown parameter", none, newEvent(`{"a": {"b": "b", "c": {"d": false}, "e": 2}}`), true,
			expr(`b == "b" || (d == true && e == 2)`, "b", "a.b", "d", "a.c.d")),

		// The Argo example filter-with-expressions.yaml.
		exprCase("argo example", none, newEvent(`{"a": "b", "a-longer-name": 10, "nested": {"path": {"can-get": {"longer": false}}}}`), true,
			expr(`a == "b" || c == 10`, "a", "a", "c", "a-longer-name"), expr(`e == false`, "e", "nested.path.can-get.longer")),
		// govaluate syntax.
		exprCase("single-quoted string", none, newEvent(`{"a": "b"}`), true, expr(`a == 'b'`, "a", "a")),
		exprCase("parentheses and numbers", none, newEvent(`{"n": 7.5}`), true, expr(`(n > 5 && n <= 7.5) || n == 100`, "n", "n")),
		exprCase("a number from a string compares as string", none, newEvent(`{"n": "10"}`), false, expr(`n == 10`, "n", "n")),
		exprCase("in", none, newEvent(`{"s": "push"}`), true, expr(`s in ('push', 'pull_request')`, "s", "s")),
		exprCase("ternary", none, newEvent(`{"n": 3}`), true, expr(`(n > 2 ? "big" : "small") == "big"`, "n", "n")),
		exprCase("bracketed parameter with a hyphen", none, newEvent(`{"x": 1}`), true, expr(`[my-var] == 1`, "my-var", "x")),
		withErr(exprCase("govaluate has no nil literal", none, newEvent(`{"n": null}`), false, expr(`n == nil`, "n", "n")), "No parameter 'nil' found.", nil),
		exprCase("a non-boolean result does not pass", none, newEvent(`{"n": 1}`), false, expr(`n + 1`, "n", "n")),
		exprCase("no fields is skipped under and", none, newEvent(`{}`), true, expr(`1 == 2`)),
		exprCase("no fields with a parse error is skipped too", none, newEvent(`{}`), true, expr(`==`)),
		withReasons(exprCase("no fields under or does not pass", or, newEvent(`{}`), false, expr(`1 == 1`)),
			Reason{Filter: "exprs", Seen: "no expression with fields", Want: `one expression to be true (exprLogicalOperator "or")`}),
		exprCase("duplicate field name takes the last", none, newEvent(`{"a": 1, "b": 2}`), true, expr(`v == 2`, "v", "a", "v", "b")),
		withErr(exprCase("unknown parameter", none, newEvent(`{"a": 1}`), false, expr(`b == 1`, "a", "a")), "exprs[0]: No parameter 'b' found.", nil),
		withErr(exprCase("parse error", none, newEvent(`{"a": 1}`), false, expr(`a ==`, "a", "a")), "exprs[0]: invalid filter: expression", ErrInvalidFilter),
		withErr(exprCase("an expression that panics govaluate's lexer", none, newEvent(`{"a": 1}`), false, expr(`\`, "a", "a")), "exprs[0]: invalid filter: expression", ErrInvalidFilter),
		withErr(exprCase("type error", none, newEvent(`{"a": "x"}`), false, expr(`a > 1`, "a", "a")), "exprs[0]:", nil),
		exprCase("or: error then pass", or, newEvent(`{"a": "x"}`), true, expr(`a > 1`, "a", "a"), expr(`a == "x"`, "a", "a")),
		withErr(exprCase("or: error and no pass", or, newEvent(`{"a": "x"}`), false, expr(`a > 1`, "a", "a"), expr(`a == "y"`, "a", "a")), "exprs[0]:", nil),
		withReasons(exprCase("reason lists the values", none, newEvent(`{"s": "push", "n": 3}`), false, expr(`s == "pull" && n > 1`, "s", "s", "n", "n")),
			Reason{Filter: "exprs[0]", Path: "s=s, n=n", Seen: `s="push", n=3`, Want: `true: s == "pull" && n > 1`}),
	})
}
