package filter

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMatch(t *testing.T) {
	webhook := `{"header":{"X-Id":["7"]},"body":{"id":4,"name":"John","tags":["a","b"],"count":"12"},"metadata":{"team":"x"}}`
	for _, tc := range []struct {
		name, expr, data string
		want             bool
		err              string
	}{
		{"argo's example passes", "(body.id == 4) && (body.name != 'Joe')", webhook, true, ""},
		{"argo's example fails", "(body.id == 4) && (body.name == 'Joe')", webhook, false, ""},
		{"numbers are float64", "body.id > 3.5", webhook, true, ""},
		{"keyword operators", "body.id == 4 and not (body.name startsWith 'Jo' == false)", webhook, true, ""},
		{"in a list", "'a' in body.tags", webhook, true, ""},
		{"regexp", "body.name matches '^J.*n$'", webhook, true, ""},
		{"builtin len", "len(body.tags) == 2", webhook, true, ""},
		{"asInt of a string", "asInt(body.count) > 10", webhook, true, ""},
		{"asFloat", "asFloat(body.count) == 12.0", webhook, true, ""},
		{"string", "string(body.id) == '4'", webhook, true, ""},
		{"toJson", `toJson(body.tags) == '["a","b"]'`, webhook, true, ""},
		{"sprig", "sprig.upper(body.name) == 'JOHN'", webhook, true, ""},
		{"metadata", "metadata.team == 'x'", webhook, true, ""},
		{"header values are lists", "header.X_Id == nil && header['X-Id'][0] == '7'", webhook, true, ""},
		{"dash in a top-level key becomes underscore", "x_request == 'y'", `{"x-request":"y"}`, true, ""},
		{"dotted top-level keys are expanded", "a.b == 1 && a.c == 2", `{"a.b":1,"a.c":2}`, true, ""},
		{"the dotted key wins over its parent", "a.b == 1", `{"a":{"b":5},"a.b":1}`, true, ""},
		{"calendar data", "eventTime != ''", `{"eventTime":"2024-03-31 09:00:00 +0000 UTC","metadata":null}`, true, ""},
		{"missing top-level name is nil", "nothing == nil", webhook, true, ""},
		{"missing path fails", "body.nope.deeper == 1", webhook, false, "cannot fetch deeper from <nil>"},
		{"not a boolean", "body.id + 1", webhook, false, "result 5 is a float64, not a boolean"},
		{"type mismatch", "body.id + 'a' == 'x'", webhook, false, "invalid operation"},
		{"unknown function", "jsonpath(toJson(body), '$.id') == 4", webhook, false, "cannot call nil"},
		{"a function that panics", "sprig.first(body.id) == 1", webhook, false, "Cannot find first on type float64"},
		{"asInt of a non-number", "asInt(body.name) == 1", webhook, false, `asInt("John")`},
		{"array data", "true", `[1,2]`, false, ErrNotObject.Error()},
		{"null data", "true", `null`, false, ErrNotObject.Error()},
		{"not JSON", "true", `hello`, false, ErrNotObject.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Compile(tc.expr)
			require.NoError(t, err)
			got, err := f.Match([]byte(tc.data))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct{ expr, err string }{
		{"body.id == 4", ""},
		{"body.a and body.b", ""},
		{"body.flag", ""},
		{"sprig.contains('x', body.name)", ""},
		{"", "expression is empty"},
		{"  ", "expression is empty"},
		{"body.id ==", "parsing expression: unexpected token EOF (1:10)"},
		{"body.id == 4)", "parsing expression: unexpected token Bracket(\")\") (1:13)"},
		{"1 + 2", "checking expression: expected bool, but got int"},
		{"'x'", "checking expression: expected bool, but got string"},
		{"jsonpath(toJson(body), '$.id') == 4", "function jsonpath (Argo Events' JSONPath lookup) is not supported by Herald; use a member path such as body.a.b"},
		{"nosuch(body) == 1", "function nosuch does not exist"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			err := Check(tc.expr)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.err)
		})
	}
}

func TestCompileRejectsBadSyntax(t *testing.T) {
	_, err := Compile("body.id ==")
	require.EqualError(t, err, "parsing expression: unexpected token EOF (1:10)")
}
