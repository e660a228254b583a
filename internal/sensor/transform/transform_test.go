package transform

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/sensor/luascript"
)

var eventTime = time.Date(2024, 7, 15, 16, 36, 34, 0, time.UTC)

func newEvent(data string) *event.Event {
	ev := &event.Event{ID: "123", Source: "webhook", Subject: "hello", Type: "webhook", Time: eventTime, DataContentType: "text/plain", Extensions: map[string]string{"x": "y"}}
	if data != "" {
		ev.Data = []byte(data)
	}
	return ev
}

func jq(src string) *v1alpha1.EventDependencyTransformer {
	return &v1alpha1.EventDependencyTransformer{JQ: src}
}

func luaScript(src string) *v1alpha1.EventDependencyTransformer {
	return &v1alpha1.EventDependencyTransformer{Script: src}
}

// applyCase is one row: a transform, the event data and either the output
// data or an error.
type applyCase struct {
	name  string
	spec  *v1alpha1.EventDependencyTransformer
	data  string
	want  string // output data; "" with no error means unchanged
	err   string // substring of the error
	errIs error
}

func runApplyCases(t *testing.T, cases []applyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := Compile(tc.spec, Options{Timeout: 2 * time.Second})
			require.NoError(t, err)
			in := newEvent(tc.data)
			before := *in
			out, err := tr.Apply(t.Context(), in)
			require.Equal(t, before, *in, "the input event is not modified")
			if tc.err != "" || tc.errIs != nil {
				require.Error(t, err)
				require.ErrorContains(t, err, tc.err)
				if tc.errIs != nil {
					require.ErrorIs(t, err, tc.errIs)
				}
				require.Nil(t, out)
				return
			}
			require.NoError(t, err)
			if tc.want == "" {
				require.Same(t, in, out, "unchanged")
				return
			}
			require.Equal(t, tc.want, string(out.Data))
			require.Equal(t, event.ContentTypeJSON, out.DataContentType)
			require.Equal(t, in.ID, out.ID)
			require.Equal(t, in.Subject, out.Subject)
			require.Equal(t, in.Time, out.Time)
			require.Equal(t, in.Extensions, out.Extensions)
		})
	}
}

// Argo's TestApplyJQTransform and TestApplyScriptTransform, then the rules
// of what the program sees, what it must return and how the result is
// written.
func TestApply(t *testing.T) {
	runApplyCases(t, []applyCase{
		// Argo's cases.
		{name: "jq arithmetic and string repeat", spec: jq(".a += 1 | .b *= 2"), data: `{"a":1,"b":"2"}`, want: `{"a":2,"b":"22"}`},
		{name: "lua changes an array element", spec: luaScript("event.c.d[1]=4\nreturn event"), data: `{"a":1,"b":"2","c":{"d":[3]}}`, want: `{"a":1,"b":"2","c":{"d":[4]}}`},
		{name: "lua returning a string", spec: luaScript(`return "hello"`), data: `{"a":1}`, err: "script returned string, not a table", errIs: ErrNotObject},
		{name: "lua __is_array makes an empty array", spec: luaScript("event.env = setmetatable({}, { __is_array = true })\nreturn event"), data: `{"env": 123}`, want: `{"env":[]}`},

		// Which transform runs.
		{name: "nil transform", spec: nil, data: `{"a":1}`},
		{name: "empty transform", spec: &v1alpha1.EventDependencyTransformer{}, data: `{"a":1}`},
		{name: "jq wins over script", spec: &v1alpha1.EventDependencyTransformer{JQ: `.by = "jq"`, Script: `event.by = "lua"; return event`}, data: `{}`, want: `{"by":"jq"}`},
		// What the program sees.
		{name: "no data is unchanged", spec: jq(`.a = 1`), data: ""},
		{name: "no data is unchanged for lua", spec: luaScript(`error("not run")`), data: ""},
		{name: "data that is not JSON", spec: jq(`.`), data: "hello", errIs: ErrInvalidData},
		{name: "array data", spec: jq(`.`), data: `[1, 2]`, errIs: ErrInvalidData},
		{name: "string data", spec: luaScript(`return event`), data: `"s"`, errIs: ErrInvalidData},
		{name: "null data is an empty object", spec: jq(`.a = 1`), data: `null`, want: `{"a":1}`},
		{name: "jq . on null data writes null (Argo encodes the nil map)", spec: jq(`.`), data: `null`, want: `null`},
		{name: "null data is an empty table", spec: luaScript(`event.a = 1; return event`), data: `null`, want: `{"a":1}`},
		{name: "numbers are float64: large integers lose precision", spec: jq(`.`), data: `{"n": 12345678901234567890}`, want: `{"n":12345678901234567000}`},
		{name: "lua drops nulls and nested arrays inside arrays", spec: luaScript(`return event`), data: `{"a": [1, null, [2], {"b": null}], "c": null}`, want: `{"a":[1,{}]}`},
		// What the program must return.
		{name: "jq: only the first output counts", spec: jq(`{a: 1}, {a: 2}`), data: `{}`, want: `{"a":1}`},
		{name: "jq: later outputs are not computed", spec: jq(`{a: 1}, error("never")`), data: `{}`, want: `{"a":1}`},
		{name: "jq: no output", spec: jq(`empty`), data: `{}`, errIs: ErrNoOutput},
		{name: "jq: halt", spec: jq(`halt`), data: `{}`, errIs: ErrNoOutput},
		{name: "jq: an array is not an object", spec: jq(`[.]`), data: `{}`, err: "jq gave an array", errIs: ErrNotObject},
		{name: "jq: null is not an object", spec: jq(`.missing`), data: `{}`, err: "jq gave null", errIs: ErrNotObject},
		{name: "jq: a runtime error", spec: jq(`.a + 1`), data: `{"a": "x"}`, err: "cannot add", errIs: ErrNotObject},
		{name: "jq: an error before a good output", spec: jq(`error("boom"), {}`), data: `{}`, err: "boom", errIs: ErrNotObject},
		{name: "jq: infinity cannot be encoded", spec: jq(`.a = infinite`), data: `{}`, err: "unsupported value: +Inf"},
		{name: "jq: nan cannot be encoded", spec: jq(`.a = nan`), data: `{}`, err: "unsupported value: NaN"},
		{name: "lua: an array table is accepted as a JSON array", spec: luaScript(`return {1, 2}`), data: `{}`, want: `[1,2]`},
		{name: "lua: nil", spec: luaScript(`return nil`), data: `{}`, err: "script returned nil", errIs: ErrNotObject},
		{name: "lua: nothing", spec: luaScript(`local x = 1`), data: `{}`, errIs: ErrNotObject},
		{name: "lua: the last returned value counts", spec: luaScript(`return "x", event`), data: `{"a":1}`, want: `{"a":1}`},
		{name: "lua: a function inside", spec: luaScript(`event.f = print; return event`), data: `{}`, errIs: luascript.ErrNoJSON},
		{name: "lua: a table that contains itself", spec: luaScript(`local t = {}; t.t = t; return t`), data: `{}`, errIs: luascript.ErrNoJSON},
		{name: "lua: NaN cannot be encoded", spec: luaScript(`event.n = 0/0; return event`), data: `{}`, err: "unsupported value: NaN"},
		{name: "lua: integer keys fill the array part, holes are null", spec: luaScript(`return {[2] = "b", [3] = "c"}`), data: `{}`, want: `[null,"b","c"]`},
		{name: "lua: other keys of an object table become strings", spec: luaScript(`return {[1.5] = "x", [true] = "y"}`), data: `{}`, want: `{"1.5":"x","true":"y"}`},
		{name: "lua: keys besides the array part are dropped", spec: luaScript(`return {"a", k = "v"}`), data: `{}`, want: `["a"]`},
		{name: "lua: runtime error", spec: luaScript(`return event.a.b`), data: `{}`, err: "script: running Lua script"},
		// How the result is written: encoding/json.
		{name: "keys are sorted", spec: jq(`{z: 1, a: 2, m: {y: 1, b: 2}}`), data: `{}`, want: `{"a":2,"m":{"b":2,"y":1},"z":1}`},
		{name: "HTML characters are escaped", spec: jq(`.s = "<a href='x'>&</a>"`), data: `{}`, want: `{"s":"\u003ca href='x'\u003e\u0026\u003c/a\u003e"}`},
		{name: "integers stay integers", spec: jq(`.n = 3 | .f = 1.5 | .big = 1e21`), data: `{}`, want: `{"big":1e+21,"f":1.5,"n":3}`},
		{name: "invalid UTF-8 is replaced", spec: jq(`.`), data: "{\"s\": \"a\xffb\"}", want: `{"s":"a` + "\ufffd" + `b"}`},
		{name: "the auto-ingress program", spec: jq(`.operation = {"ADD": "create", "UPDATE": "update", "DELETE": "delete"}[.type]`), data: `{"type": "DELETE"}`, want: `{"operation":"delete","type":"DELETE"}`},
		{name: "the auto-ingress program on an unknown type", spec: jq(`.operation = {"ADD": "create", "UPDATE": "update", "DELETE": "delete"}[.type]`), data: `{"type": "X"}`, want: `{"operation":null,"type":"X"}`},
	})
}

func TestCompileErrors(t *testing.T) {
	for _, spec := range []*v1alpha1.EventDependencyTransformer{
		jq(`.a +`),
		jq(`undefined_function(1)`),
		luaScript(`if then`),
	} {
		tr, err := Compile(spec, Options{})
		require.NoError(t, err, "lenient by default, as Argo")
		require.ErrorIs(t, tr.Problem(), ErrInvalidTransform)
		require.False(t, tr.Identity())
		_, err = tr.Apply(t.Context(), newEvent(`{}`))
		require.ErrorIs(t, err, ErrInvalidTransform)

		_, err = Compile(spec, Options{Strict: true})
		require.ErrorIs(t, err, ErrInvalidTransform)
	}
	tr, err := Compile(jq(`.`), Options{Strict: true})
	require.NoError(t, err)
	require.NoError(t, tr.Problem())
}

func TestApplyNilEvent(t *testing.T) {
	tr, err := Compile(jq(`.`), Options{})
	require.NoError(t, err)
	_, err = tr.Apply(t.Context(), nil)
	require.Error(t, err)
}

func TestIdentity(t *testing.T) {
	var nilTr *Transform
	require.True(t, nilTr.Identity())
	tr, err := Compile(nil, Options{})
	require.NoError(t, err)
	require.True(t, tr.Identity())
	tr, err = Compile(jq("."), Options{})
	require.NoError(t, err)
	require.False(t, tr.Identity())
}
