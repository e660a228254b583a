package filter

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// eventTime is the time of the test events: 16:36:34 UTC.
var eventTime = time.Date(2024, 7, 15, 16, 36, 34, 0, time.UTC)

// newEvent builds an event like the ones in Argo's filter tests.
func newEvent(data string) *event.Event {
	ev := &event.Event{
		ID:              "1",
		Source:          "webhook-gateway",
		Subject:         "example-1",
		Type:            "webhook",
		Time:            eventTime,
		DataContentType: "application/json",
	}
	if data != "" {
		ev.Data = []byte(data)
	}
	return ev
}

// matchCase is one row of the table tests: filters, an event and the
// expected outcome.
type matchCase struct {
	name    string
	op      v1alpha1.LogicalOperator // filtersLogicalOperator
	filters *v1alpha1.EventDependencyFilter
	event   *event.Event
	pass    bool
	// err is a substring of the expected error; "" means no error.
	err string
	// errIs, when set, must match the error with errors.Is.
	errIs error
	// reasons, when set, are the expected rejection reasons.
	reasons []Reason
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Compile(&v1alpha1.EventDependency{Name: "dep", Filters: tc.filters, FiltersLogicalOperator: tc.op}, Options{ScriptTimeout: 2 * time.Second})
			require.NoError(t, err)
			res, err := f.Match(tc.event, eventTime)
			if tc.err == "" && tc.errIs == nil {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				require.ErrorContains(t, err, tc.err)
				if tc.errIs != nil {
					require.ErrorIs(t, err, tc.errIs)
				}
				var ee *EvalError
				require.ErrorAs(t, err, &ee)
			}
			require.Equal(t, tc.pass, res.Pass, "result: %s", res)
			if tc.pass {
				require.Empty(t, res.Reasons)
			}
			if tc.reasons != nil {
				require.Equal(t, tc.reasons, res.Reasons)
			}
			if !tc.pass && err == nil {
				require.NotEmpty(t, res.Reasons, "a rejection without error says why")
			}
		})
	}
}

// The cases of Argo's TestFilter (filter_test.go), plus the combinations it
// leaves out.
func TestMatchLogicalOperators(t *testing.T) {
	const abcd = `{ "a": "x", "b": 10, "c": { "d": "hello world", "e": false } }`
	ctxOK := &v1alpha1.EventContext{Type: "webhook", Source: "webhook-gateway"}
	dataKV := func(path, value string) []v1alpha1.DataFilter {
		return []v1alpha1.DataFilter{{Path: path, Type: v1alpha1.JSONTypeString, Value: []string{value}}}
	}
	dataAB := func(a, b string) []v1alpha1.DataFilter {
		return []v1alpha1.DataFilter{
			{Path: "a", Type: v1alpha1.JSONTypeString, Value: []string{a}},
			{Path: "b", Type: v1alpha1.JSONTypeNumber, Value: []string{b}},
		}
	}
	exprCD := func(c, d string) []v1alpha1.ExprFilter {
		return []v1alpha1.ExprFilter{
			{Expr: c, Fields: []v1alpha1.PayloadField{{Path: "c.d", Name: "d"}}},
			{Expr: d, Fields: []v1alpha1.PayloadField{{Path: "c.e", Name: "e"}}},
		}
	}
	runMatchCases(t, []matchCase{
		{name: "empty filters pass", op: v1alpha1.AndLogicalOperator, filters: &v1alpha1.EventDependencyFilter{}, event: newEvent(`{"k": "v"}`), pass: true},
		{name: "no filters block passes", filters: nil, event: newEvent(`{"k": "v"}`), pass: true},
		{name: "event passing", op: v1alpha1.AndLogicalOperator, filters: &v1alpha1.EventDependencyFilter{Data: dataKV("k", "v")}, event: newEvent(`{"k": "v"}`), pass: true},
		{
			name: "event not passing: missing path is a rejection", op: v1alpha1.AndLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{Data: dataKV("z", "v")}, event: newEvent(`{"k": "v"}`),
			reasons: []Reason{{Filter: "data[0]", Path: "z", Seen: Missing, Want: `type string, value matching "v"`}},
		},
		{
			name: "bad time filter is an error", op: v1alpha1.AndLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{Time: &v1alpha1.TimeFilter{Start: "09:09:0", Stop: "19:19:19"}},
			event:   newEvent(`{"k": "v"}`), err: "time: invalid filter: start", errIs: ErrInvalidFilter,
		},
		{name: "empty operator means and: ctx true, data false", filters: &v1alpha1.EventDependencyFilter{Context: ctxOK, Data: dataKV("k", "z")}, event: newEvent(`{"k": "v"}`)},
		{name: "empty operator means and: data missing path", filters: &v1alpha1.EventDependencyFilter{Context: ctxOK, Data: dataKV("z", "v")}, event: newEvent(`{"k": "v"}`)},
		{
			name: "and: ctx false, data true", op: v1alpha1.AndLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{Context: &v1alpha1.EventContext{Type: "webhook", Source: "webhook-fake"}, Data: dataKV("k", "v")},
			event:   newEvent(`{"k": "v"}`),
			reasons: []Reason{{Filter: "context", Path: "source", Seen: "webhook-gateway", Want: `"webhook-fake"`}},
		},
		{name: "and: ctx true, data missing path", op: v1alpha1.AndLogicalOperator, filters: &v1alpha1.EventDependencyFilter{Context: ctxOK, Data: dataKV("z", "v")}, event: newEvent(`{"k": "v"}`)},
		{
			name: "or: ctx true, data missing path still rejects (Argo: the data error wins)", op: v1alpha1.OrLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{Context: ctxOK, Data: dataKV("z", "v")}, event: newEvent(`{"k": "v"}`),
			reasons: []Reason{{Filter: "data[0]", Path: "z", Seen: Missing, Want: `type string, value matching "v"`}},
		},
		{
			name: "or: ctx true, data false passes", op: v1alpha1.OrLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{Context: ctxOK, Data: dataKV("k", "z")}, event: newEvent(`{"k": "v"}`), pass: true,
		},
		{
			name: "or: ctx true, data invalid regex errors", op: v1alpha1.OrLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{Context: ctxOK, Data: dataKV("k", "(")}, event: newEvent(`{"k": "v"}`),
			err: "data[0]: invalid filter: value[0]", errIs: ErrInvalidFilter,
		},
		{
			name: "(A && B) && (C && D)", filters: &v1alpha1.EventDependencyFilter{Data: dataAB("x", "10"), Exprs: exprCD(`d == "hello world"`, `e == false`)},
			event: newEvent(abcd), pass: true,
		},
		{
			name: "(A && B) && (C && D) with a parse error", filters: &v1alpha1.EventDependencyFilter{Data: dataAB("x", "10"), Exprs: exprCD(`d == "hello world"`, `e == false"`)},
			event: newEvent(abcd), err: "exprs[1]: invalid filter", errIs: ErrInvalidFilter,
		},
		{
			name: "(A && B) || (C && D)", op: v1alpha1.OrLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{
				DataLogicalOperator: v1alpha1.AndLogicalOperator, Data: dataAB("x", "10"),
				ExprLogicalOperator: v1alpha1.AndLogicalOperator, Exprs: exprCD(`d == "hello world"`, `e == true`),
			},
			event: newEvent(abcd), pass: true,
		},
		{
			name: "(A || B) && (C || D)", op: v1alpha1.AndLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{
				DataLogicalOperator: v1alpha1.OrLogicalOperator, Data: dataAB("x", "11"),
				ExprLogicalOperator: v1alpha1.OrLogicalOperator, Exprs: exprCD(`d == "hello world"`, `e == true`),
			},
			event: newEvent(abcd), pass: true,
		},
		{
			name: "(A || B) || (C || D)", op: v1alpha1.OrLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{
				DataLogicalOperator: v1alpha1.OrLogicalOperator, Data: dataAB("y", "11"),
				ExprLogicalOperator: v1alpha1.OrLogicalOperator, Exprs: exprCD(`d == "hello world"`, `e == false`),
			},
			event: newEvent(abcd), pass: true,
		},
		{
			name: "(A && B) || (C || D)", op: v1alpha1.OrLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{
				DataLogicalOperator: v1alpha1.AndLogicalOperator, Data: dataAB("x", "10"),
				ExprLogicalOperator: v1alpha1.OrLogicalOperator, Exprs: exprCD(`d == "hello everybody"`, `e == true`),
			},
			event: newEvent(abcd), pass: true,
		},
		{
			name: "(A || B) || (C && D)", op: v1alpha1.OrLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{
				DataLogicalOperator: v1alpha1.OrLogicalOperator, Data: dataAB("x", "11"),
				ExprLogicalOperator: v1alpha1.AndLogicalOperator, Exprs: exprCD(`d == "hello everybody"`, `e == false`),
			},
			event: newEvent(abcd), pass: true,
		},
		{
			name: "(A && B) && (C || D) both false", op: v1alpha1.AndLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{
				DataLogicalOperator: v1alpha1.AndLogicalOperator, Data: dataAB("x", "11"),
				ExprLogicalOperator: v1alpha1.OrLogicalOperator, Exprs: exprCD(`d == "hello everybody"`, `e == true`),
			},
			event: newEvent(abcd),
			// exprs come first in Argo's order; under "or" both reasons.
			reasons: []Reason{
				{Filter: "exprs[0]", Path: "d=c.d", Seen: `d="hello world"`, Want: `true: d == "hello everybody"`},
				{Filter: "exprs[1]", Path: "e=c.e", Seen: `e=false`, Want: `true: e == true`},
			},
		},
		{
			name: "(A || B) && (C && D) with a missing path", op: v1alpha1.AndLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{
				DataLogicalOperator: v1alpha1.OrLogicalOperator, Data: dataAB("x", "10"),
				Exprs: []v1alpha1.ExprFilter{
					{Expr: `f == "hello world"`, Fields: []v1alpha1.PayloadField{{Path: "c.f", Name: "f"}}},
					{Expr: `e == false`, Fields: []v1alpha1.PayloadField{{Path: "c.e", Name: "e"}}},
				},
			},
			event:   newEvent(abcd),
			reasons: []Reason{{Filter: "exprs[0]", Path: "c.f", Seen: Missing, Want: `true: f == "hello world"`}},
		},
		{
			name: "or with a subset of filters set, all false", op: v1alpha1.OrLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{
				Exprs: []v1alpha1.ExprFilter{{Expr: `A == "not-valid"`, Fields: []v1alpha1.PayloadField{{Path: "a.b", Name: "A"}}}},
				Data: []v1alpha1.DataFilter{
					{Path: "a.d.e.f", Type: v1alpha1.JSONTypeString, Value: []string{"not-valid"}},
					{Path: "a.h.i", Type: v1alpha1.JSONTypeString, Value: []string{"not-valid", "not-valid-2"}},
				},
			},
			event: newEvent(`{"a":{"b":"c","d":{"e":{"f":"g"}},"h":{"i":"j"}}}`),
			reasons: []Reason{
				{Filter: "exprs[0]", Path: "A=a.b", Seen: `A="c"`, Want: `true: A == "not-valid"`},
				{Filter: "data[0]", Path: "a.d.e.f", Seen: "g", Want: `type string, value matching "not-valid"`},
			},
		},
		{name: "or with no kind set rejects (Argo quirk)", op: v1alpha1.OrLogicalOperator, filters: &v1alpha1.EventDependencyFilter{}, event: newEvent(`{}`)},
		{name: "or with an empty data list passes (Argo quirk)", op: v1alpha1.OrLogicalOperator, filters: &v1alpha1.EventDependencyFilter{Data: []v1alpha1.DataFilter{}}, event: newEvent(`{}`), pass: true},
		{name: "or with an empty exprs list under and passes", op: v1alpha1.OrLogicalOperator, filters: &v1alpha1.EventDependencyFilter{Exprs: []v1alpha1.ExprFilter{}}, event: newEvent(`{}`), pass: true},
		{
			name: "or with an empty exprs list under or does not pass", op: v1alpha1.OrLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{Exprs: []v1alpha1.ExprFilter{}, ExprLogicalOperator: v1alpha1.OrLogicalOperator}, event: newEvent(`{}`),
		},
		{name: "operator is case-sensitive: OR means and", op: "OR", filters: &v1alpha1.EventDependencyFilter{Context: ctxOK, Data: dataKV("k", "z")}, event: newEvent(`{"k": "v"}`)},
		{
			name: "or: script error rejects even when data passes", op: v1alpha1.OrLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{Data: dataKV("k", "v"), Script: `return event.x.y`},
			event:   newEvent(`{"k": "v"}`), err: "script: running Lua script",
		},
		{
			name: "or: time passes, context fails", op: v1alpha1.OrLogicalOperator,
			filters: &v1alpha1.EventDependencyFilter{Context: &v1alpha1.EventContext{Type: "calendar"}, Time: &v1alpha1.TimeFilter{Start: "16:00:00", Stop: "17:00:00"}},
			event:   newEvent(`{}`), pass: true,
		},
	})
}

func TestMatchNilEvent(t *testing.T) {
	f, err := Compile(&v1alpha1.EventDependency{Filters: &v1alpha1.EventDependencyFilter{Data: []v1alpha1.DataFilter{{Path: "k", Type: "string", Value: []string{"v"}}}}}, Options{})
	require.NoError(t, err)
	res, err := f.Match(nil, eventTime)
	require.ErrorIs(t, err, errNilEvent)
	require.False(t, res.Pass)
}

func TestCompileProblems(t *testing.T) {
	dep := &v1alpha1.EventDependency{Filters: &v1alpha1.EventDependencyFilter{
		Data: []v1alpha1.DataFilter{
			{Path: "a", Type: v1alpha1.JSONTypeString, Value: []string{"("}},
			{Path: "b", Type: "text", Value: []string{"x"}},
			{Path: "c", Type: v1alpha1.JSONTypeNumber},
			{Path: "d", Type: v1alpha1.JSONTypeNumber, Value: []string{"ten"}},
			{Path: "e", Type: v1alpha1.JSONTypeBool, Value: []string{"yes"}},
			{Path: "f", Type: v1alpha1.JSONTypeString, Value: []string{"x"}, Template: "{{ .Input "},
		},
		Exprs:  []v1alpha1.ExprFilter{{Expr: `a == `, Fields: []v1alpha1.PayloadField{{Name: "a", Path: "a"}}}},
		Time:   &v1alpha1.TimeFilter{Start: "09:00:00", Stop: "17:00:00", Timezone: "Mars/Olympus"},
		Script: `if then`,
	}}
	f, err := Compile(dep, Options{})
	require.NoError(t, err, "lenient by default, as Argo")
	var got []string
	for _, p := range f.Problems() {
		require.ErrorIs(t, p, ErrInvalidFilter)
		var ee *EvalError
		require.ErrorAs(t, p, &ee)
		got = append(got, ee.Filter)
	}
	require.Equal(t, []string{"exprs[0]", "data[0]", "data[1]", "data[2]", "data[3]", "data[4]", "data[5]", "time", "script"}, got)

	_, err = Compile(dep, Options{Strict: true})
	require.ErrorIs(t, err, ErrInvalidFilter)

	ok, err := Compile(&v1alpha1.EventDependency{Filters: &v1alpha1.EventDependencyFilter{
		Data: []v1alpha1.DataFilter{{Path: "a", Type: v1alpha1.JSONTypeString, Value: []string{"x"}}},
	}}, Options{Strict: true})
	require.NoError(t, err)
	require.Empty(t, ok.Problems())
}

func TestResultString(t *testing.T) {
	require.Equal(t, "passed", Result{Pass: true}.String())
	require.Equal(t, "rejected", Result{}.String())
	r := Result{Reasons: []Reason{
		{Filter: "data[0]", Path: "body.metadata.annotations.autodeploy-ingress-host", Seen: Missing, Want: `type string, value matching ".+"`},
		{Filter: "script", Seen: "false", Want: "the script to return true"},
	}}
	require.Equal(t,
		`rejected: data[0] body.metadata.annotations.autodeploy-ingress-host: saw <missing>, want type string, value matching ".+"; `+
			`script: saw "false", want the script to return true`,
		r.String())
}

func TestSeenIsShortened(t *testing.T) {
	long := `{"k": "` + strings.Repeat("é", 300) + `"}`
	f, err := Compile(&v1alpha1.EventDependency{Filters: &v1alpha1.EventDependencyFilter{
		Data: []v1alpha1.DataFilter{{Path: "k", Type: v1alpha1.JSONTypeString, Value: []string{"^x"}}},
	}}, Options{})
	require.NoError(t, err)
	res, err := f.Match(newEvent(long), eventTime)
	require.NoError(t, err)
	require.Len(t, res.Reasons, 1)
	require.LessOrEqual(t, len(res.Reasons[0].Seen), maxSeen+len("…"))
	require.Contains(t, res.Reasons[0].Seen, "…")
}

func TestEvalErrorUnwraps(t *testing.T) {
	err := evalErr("data[0]", ErrInvalidData)
	require.True(t, errors.Is(err, ErrInvalidData))
	require.Equal(t, "data[0]: event data is not valid JSON", err.Error())
}
