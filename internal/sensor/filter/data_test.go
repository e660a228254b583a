package filter

import (
	"testing"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// dataCase builds a row with only data filters.
func dataCase(name string, op v1alpha1.LogicalOperator, data string, pass bool, filters ...v1alpha1.DataFilter) matchCase {
	return matchCase{
		name:    name,
		filters: &v1alpha1.EventDependencyFilter{Data: filters, DataLogicalOperator: op},
		event:   newEvent(data),
		pass:    pass,
	}
}

func str(path string, values ...string) v1alpha1.DataFilter {
	return v1alpha1.DataFilter{Path: path, Type: v1alpha1.JSONTypeString, Value: values}
}

func num(path string, cmp v1alpha1.Comparator, values ...string) v1alpha1.DataFilter {
	return v1alpha1.DataFilter{Path: path, Type: v1alpha1.JSONTypeNumber, Comparator: cmp, Value: values}
}

func boolean(path string, values ...string) v1alpha1.DataFilter {
	return v1alpha1.DataFilter{Path: path, Type: v1alpha1.JSONTypeBool, Value: values}
}

func with(f v1alpha1.DataFilter, edit func(*v1alpha1.DataFilter)) v1alpha1.DataFilter {
	edit(&f)
	return f
}

func cmp(c v1alpha1.Comparator) func(*v1alpha1.DataFilter) {
	return func(f *v1alpha1.DataFilter) { f.Comparator = c }
}

func tmpl(t string) func(*v1alpha1.DataFilter) {
	return func(f *v1alpha1.DataFilter) { f.Template = t }
}

func withErr(c matchCase, err string, is error) matchCase {
	c.err, c.errIs = err, is
	return c
}

func withReasons(c matchCase, reasons ...Reason) matchCase {
	c.reasons = reasons
	return c
}

// The cases of Argo's TestFilterData (filter_data_test.go), then Herald's
// own rows for the rules those leave implicit.
func TestMatchData(t *testing.T) {
	const nested = `{"k": true, "k1": {"k": 3.14, "k2": "hello, world"}}`
	and, or, none := v1alpha1.AndLogicalOperator, v1alpha1.OrLogicalOperator, v1alpha1.EmptyLogicalOperator
	runMatchCases(t, []matchCase{
		// Argo's cases.
		withErr(dataCase("data that is not JSON", none, "a", false, str("k", "v")), "data: event data is not valid JSON", ErrInvalidData),
		dataCase("no data passes", none, "", true, str("k", "v")),
		dataCase("no filters", none, `{"k": "v"}`, true),
		withReasons(dataCase("empty path does not exist", none, `{"k": "v"}`, false, str("")),
			Reason{Filter: "data[0]", Path: "", Seen: Missing, Want: "type string, value matching "}),
		withErr(dataCase("no type and no values", none, `{"k": "v"}`, false, v1alpha1.DataFilter{Path: "k"}), "data[0]: invalid filter: no values specified", ErrInvalidFilter),
		withErr(dataCase("empty values", none, `{"k": "v"}`, false, str("k")), "no values specified", ErrInvalidFilter),
		dataCase("string", none, `{"k": "v"}`, true, str("k", "v")),
		dataCase("string =", none, `{"k": "v"}`, true, with(str("k", "v"), cmp("="))),
		dataCase("string !=", none, `{"k": "v"}`, true, with(str("k", "b"), cmp("!="))),
		dataCase("number from a string", none, `{"k": "1.0"}`, true, num("k", "", "1.0")),
		dataCase("number > from a string", none, `{"k": "2.0"}`, true, num("k", ">", "1.0")),
		dataCase("number <= from a string", none, `{"k": "2.0"}`, false, num("k", "<=", "1.0")),
		dataCase("number != from a string", none, `{"k": "1.0"}`, false, num("k", "!=", "1.0")),
		dataCase("number = from a string", none, `{"k": "5.0"}`, true, num("k", "=", "5.0")),
		dataCase("number default comparator from a string", none, `{"k": "10.0"}`, true, num("k", "", "10.0")),
		dataCase("number", none, `{"k": 1.0}`, true, num("k", "", "1.0")),
		dataCase("number >", none, `{"k": 2.0}`, true, num("k", ">", "1.0")),
		dataCase("number <=", none, `{"k": 2.0}`, false, num("k", "<=", "1.0")),
		dataCase("number !=", none, `{"k": 1.0}`, false, num("k", "!=", "1.0")),
		dataCase("number =", none, `{"k": 5.0}`, true, num("k", "=", "5.0")),
		dataCase("number default comparator", none, `{"k": 10.0}`, true, num("k", "", "10.0")),
		dataCase("several filters, empty operator: string regex against true", none, nested, false,
			str("k", "v"), num("k1.k", "", "2.14"), str("k1.k2", "hello,world", "hello there")),
		dataCase("several filters, and", and, nested, true,
			boolean("k", "true"), num("k1.k", "", "3.14"), str("k1.k2", "hello,world", "hello, world", "hello there")),
		dataCase("several filters, or", or, nested, true,
			boolean("k", "false"), num("k1.k", "", "3.14"), str("k1.k2", "hello,world", "hello there")),
		dataCase("multipath is matched as JSON text", none, `{"k": "v", "k1": {"a": [{"k2": "v2"}]}}`, true,
			with(str(`[k,k1.a.#(k2=="v2").k2]`, `\bv\b.*\bv2\b`), cmp("="))),
		dataCase("multipath with an empty member", none, `{"k": "v", "k1": {"a": [{"k2": "v2"}, {"k2": "v3"}]}}`, true,
			str(`[k,k1.a.#(k2=="v2").k2,,k1.a.#(k2=="v3").k2]`, `(\bz\b.*\bv2\b)|(\bv\b.*(\bv2\b.*\bv3\b))`)),
		dataCase("template b64dec | upper", none, `{"k": "aGVsbG8gd29ybGQ="}`, true, with(str("k", "HELLO WORLD"), tmpl(`{{ b64dec .Input | upper }}`))),
		dataCase("template b64dec to a number", none, `{"k": "My4xNA=="}`, true, with(num("k", ">", "3.13"), tmpl(`{{ b64dec .Input }}`))),
		dataCase("template b64dec of bad base64 gives sprig's error text", none, `{"k": "aGVsbG8gd29ybGQ"}`, true,
			with(with(str("k", "hello world"), tmpl(`{{ b64dec .Input }}`)), cmp("!="))),
		dataCase("template then regex", none, `{"k": "aGVsbG8gd29ybGQ="}`, true, with(str("k", "world$"), tmpl(`{{ b64dec .Input }}`))),
		// Later Argo versions reject these two; v1.9 passes them: "!="
		// passes when one value is not matched.
		dataCase("string != with several values, value among them (v1.9)", none, `{"k": "id1"}`, true, with(str("k", "id1", "id2", "id3"), cmp("!="))),
		dataCase("number != with several values, value among them (v1.9)", none, `{"k": 2.0}`, true, num("k", "!=", "1.0", "2.0", "3.0")),
		dataCase("string != with several values, value not among them", none, `{"k": "id_other"}`, true, with(str("k", "id1", "id2", "id3"), cmp("!="))),
		dataCase("number != with several values, value not among them", none, `{"k": 5.0}`, true, num("k", "!=", "1.0", "2.0", "3.0")),
		dataCase("string != fails only when every value matches", none, `{"k": "id1"}`, false, with(str("k", "id", "1"), cmp("!="))),

		// Regular expressions are unanchored, RE2.
		dataCase("regex is unanchored", none, `{"k": "my-service"}`, true, str("k", "service")),
		dataCase("anchored regex", none, `{"k": "my-service"}`, false, str("k", "^service$")),
		dataCase("any of several values", none, `{"k": "edited"}`, true, str("k", "opened", "edited")),
		dataCase("string filter on a number reads its number form", none, `{"k": 1.50}`, true, str("k", `^1\.5$`)),
		dataCase("string filter on a large integer keeps its digits", none, `{"k": 12345678901234567890}`, true, str("k", `^12345678901234567890$`)),
		dataCase("string filter on an object reads its JSON text", none, `{"k": {"a": 1}}`, true, str("k", `"a":\s*1`)),
		dataCase("string filter on null reads empty", none, `{"k": null}`, true, str("k", "^$")),
		dataCase("unknown string comparator never passes", none, `{"k": "v"}`, false, with(str("k", "v"), cmp(">"))),
		// Arrays: a path through an array gives the JSON array text.
		dataCase("array of matches", none, `{"items": [{"name": "a"}, {"name": "b"}]}`, true, str("items.#.name", `"b"`)),
		dataCase("array index", none, `{"items": [{"name": "a"}, {"name": "b"}]}`, true, str("items.1.name", "^b$")),
		dataCase("array length", none, `{"items": [1, 2, 3]}`, true, num("items.#", "=", "3")),
		dataCase("number of an array reads 0", none, `{"k": [5]}`, true, num("k", "=", "0")),
		// Numbers.
		dataCase("number >= equal", none, `{"k": 20}`, true, num("k", ">=", "20")),
		dataCase("number < ", none, `{"k": 19.5}`, true, num("k", "<", "20")),
		dataCase("number one of several", none, `{"k": 3}`, true, num("k", "=", "1", "2", "3")),
		dataCase("number from a non-numeric string reads 0", none, `{"k": "abc"}`, true, num("k", "=", "0")),
		dataCase("number from true reads 1", none, `{"k": true}`, true, num("k", "=", "1")),
		dataCase("unknown number comparator never passes", none, `{"k": 1}`, false, num("k", "==", "1")),
		// Booleans.
		dataCase("bool false", none, `{"k": false}`, true, boolean("k", "false")),
		dataCase("bool accepts ParseBool spellings", none, `{"k": true}`, true, boolean("k", "T")),
		dataCase("bool from the string \"true\"", none, `{"k": "true"}`, true, boolean("k", "true")),
		dataCase("bool from a number", none, `{"k": 2}`, true, boolean("k", "true")),
		dataCase("bool mismatch", none, `{"k": true}`, false, boolean("k", "false")),
		// Paths.
		dataCase("escaped dot in a key", none, `{"a.b": "v"}`, true, str(`a\.b`, "v")),
		dataCase("wildcard key", none, `{"header": {"X-Github-Event": ["push"]}}`, true, str("header.X-Github-*", "push")),
		dataCase("hyphenated keys", none, `{"body": {"metadata": {"annotations": {"autodeploy-ingress-host": "h"}}}}`, true,
			str("body.metadata.annotations.autodeploy-ingress-host", ".+")),
		withReasons(dataCase("missing annotation", none, `{"body": {"metadata": {}}}`, false,
			str("body.metadata.annotations.autodeploy-ingress-host", ".+")),
			Reason{Filter: "data[0]", Path: "body.metadata.annotations.autodeploy-ingress-host", Seen: Missing, Want: `type string, value matching ".+"`}),
		withReasons(dataCase("reason shows the value seen", none, `{"kind": "Pod"}`, false, str("kind", "^Service$")),
			Reason{Filter: "data[0]", Path: "kind", Seen: "Pod", Want: `type string, value matching "^Service$"`}),
		withReasons(dataCase("reason of a number filter", none, `{"c": 10}`, false, num("c", ">", "20")),
			Reason{Filter: "data[0]", Path: "c", Seen: "10", Want: "type number, value > 20"}),
		// Errors surface when an event reaches them, in Argo's order.
		withErr(dataCase("bad regex", none, `{"k": "v"}`, false, str("k", "(")), "data[0]: invalid filter: value[0]: error parsing regexp", ErrInvalidFilter),
		dataCase("bad regex after a matching value is never reached", none, `{"k": "v"}`, true, str("k", "v", "(")),
		withErr(dataCase("bad regex after a failing value", none, `{"k": "x"}`, false, str("k", "v", "(")), "value[1]", ErrInvalidFilter),
		withErr(dataCase("bad number", none, `{"k": 1}`, false, num("k", "", "one")), "value[0]: strconv.ParseFloat", ErrInvalidFilter),
		withErr(dataCase("bad bool", none, `{"k": true}`, false, boolean("k", "yes")), "value[0]: strconv.ParseBool", ErrInvalidFilter),
		withErr(dataCase("unsupported type", none, `{"k": "v"}`, false, v1alpha1.DataFilter{Path: "k", Type: "String", Value: []string{"v"}}), "unsupported JSON type 'String'", ErrInvalidFilter),
		withReasons(dataCase("missing path comes before a bad filter", none, `{}`, false, str("k", "(")),
			Reason{Filter: "data[0]", Path: "k", Seen: Missing, Want: `type string, value matching "("`}),
		withErr(dataCase("template parse error", none, `{"k": "v"}`, false, with(str("k", "v"), tmpl("{{ .Input "))), "data[0]: invalid filter: template", ErrInvalidFilter),
		withErr(dataCase("template execution error", none, `{"k": "v"}`, false, with(str("k", "v"), tmpl(`{{ fail "boom" }}`))), "boom", nil),
		withErr(dataCase("template giving nothing", none, `{"k": "v"}`, false, with(str("k", "v"), tmpl(`{{ "" }}`))), "evaluated to empty string or no value", nil),
		withErr(dataCase("template giving <no value>", none, `{"k": "v"}`, false, with(str("k", "v"), tmpl(`{{ .Missing }}`))), "evaluated to empty string or no value", nil),
		dataCase("template with a quote and a newline", none, `{"k": "a\"b"}`, true, with(str("k", "^a\"b\n$"), tmpl("{{ .Input }}\n"))),
		// dataLogicalOperator "or".
		dataCase("or: first fails, second passes", or, `{"a": "x", "b": 1}`, true, str("a", "y"), num("b", "=", "1")),
		dataCase("or: missing path then a pass", or, `{"b": 1}`, true, str("a", "y"), num("b", "=", "1")),
		dataCase("or: bad regex then a pass", or, `{"a": "x", "b": 1}`, true, str("a", "("), num("b", "=", "1")),
		withErr(dataCase("or: bad regex and a failure", or, `{"a": "x", "b": 1}`, false, str("a", "("), num("b", "=", "2")), "value[0]", ErrInvalidFilter),
		withReasons(dataCase("or: missing path and a failure are both reasons", or, `{"b": 1}`, false, str("a", "y"), num("b", "=", "2")),
			Reason{Filter: "data[1]", Path: "b", Seen: "1", Want: "type number, value = 2"},
			Reason{Filter: "data[0]", Path: "a", Seen: Missing, Want: `type string, value matching "y"`}),
		dataCase("and: first fails", and, `{"a": "x", "b": 1}`, false, str("a", "y"), num("b", "=", "1")),
		// Data that is JSON but not an object.
		dataCase("array data", none, `[{"k": "v"}]`, true, str("0.k", "v")),
		dataCase("string data", none, `"v"`, false, str("k", "v")),
	})
}
