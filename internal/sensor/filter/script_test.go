package filter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func scriptCase(name, script, data string, pass bool) matchCase {
	return matchCase{name: name, filters: &v1alpha1.EventDependencyFilter{Script: script}, event: newEvent(data), pass: pass}
}

// The cases of Argo's TestScriptFilter (filter_script_test.go), then the
// rules of what the script sees and returns, and the sandbox.
func TestMatchScript(t *testing.T) {
	runMatchCases(t, []matchCase{
		scriptCase("true", `if event.a == "hello" then return true else return false end`, `{"a":"hello"}`, true),
		withReasons(scriptCase("false", `if event.a == "hello" and event.b == "world" then return false else return true end`, `{"a":"hello","b":"world"}`, false),
			Reason{Filter: "script", Seen: "false", Want: "the script to return true"}),
		withErr(scriptCase("syntax error", `if event.a == "hello" return false else return true end`, `{"a":"hello"}`, false), "script: invalid filter", ErrInvalidFilter),
		withErr(scriptCase("runtime error", `if a.a == "hello" then return true else return false end`, `{"a":"hello"}`, false), "script: running Lua script", nil),
		// What the script sees.
		scriptCase("the argo example", `if event.body.a == "b" and event.body.d.e == "z" then return true else return false end`, `{"body": {"a": "b", "d": {"e": "z"}}}`, true),
		scriptCase("numbers are Lua numbers", `return event.n + 1 == 3.5`, `{"n": 2.5}`, true),
		scriptCase("booleans", `return event.t == true and event.f == false`, `{"t": true, "f": false}`, true),
		scriptCase("null members are nil", `return event.n == nil`, `{"n": null}`, true),
		scriptCase("arrays are sequences", `return #event.a == 3 and event.a[1] == "x" and event.a[3].k == 1`, `{"a": ["x", 2, {"k": 1}]}`, true),
		scriptCase("nulls and nested arrays in arrays are dropped (Argo)", `return #event.a == 2 and event.a[1] == 1 and event.a[2] == 4`, `{"a": [1, null, [2, 3], 4]}`, true),
		scriptCase("null data is an empty table", `return next(event) == nil`, `null`, true),
		scriptCase("no data passes without running", `error("not run")`, ``, true),
		withErr(scriptCase("array data is an error", `return true`, `[1]`, false), "script: event data is not valid JSON", ErrInvalidData),
		withErr(scriptCase("data that is not JSON", `return true`, `nope`, false), "script: event data is not valid JSON", ErrInvalidData),
		// What the script returns.
		scriptCase("the last returned value counts", `return false, true`, `{}`, true),
		scriptCase("a truthy non-boolean does not pass", `return 1`, `{}`, false),
		scriptCase("returning nothing does not pass", `local x = 1`, `{}`, false),
		scriptCase("the event can be changed locally", `event.a = "z"; return event.a == "z"`, `{"a": "y"}`, true),
		// The sandbox.
		scriptCase("string, table and math work", `return string.upper("a") == "A" and table.concat({"a","b"}, ",") == "a,b" and math.floor(2.5) == 2`, `{}`, true),
		scriptCase("string methods work", `return ("abc"):sub(2, 2) == "b"`, `{}`, true),
		scriptCase("os has clock functions only", `return type(os.time()) == "number" and os.execute == nil and os.getenv == nil and os.remove == nil`, `{}`, true),
		scriptCase("io is absent", `return io == nil`, `{}`, true),
		scriptCase("file loaders are absent", `return dofile == nil and loadfile == nil and require == nil and collectgarbage == nil`, `{}`, true),
		scriptCase("print is a no-op", `print("hello"); return true`, `{}`, true),
		scriptCase("coroutines work", `local co = coroutine.create(function() coroutine.yield(1) end); local ok, v = coroutine.resume(co); return ok and v == 1`, `{}`, true),
		withErr(scriptCase("string.rep is capped", `local s = string.rep("x", 1e9); return true`, `{}`, false), "result larger than", nil),
		withErr(scriptCase("deep recursion is a Lua error", `local function f(n) return f(n + 1) + 1 end; return f(1)`, `{}`, false), "stack overflow", nil),
	})
}

func TestMatchScriptTimeout(t *testing.T) {
	f, err := Compile(&v1alpha1.EventDependency{Filters: &v1alpha1.EventDependencyFilter{Script: `while true do end`}}, Options{ScriptTimeout: 50 * time.Millisecond})
	require.NoError(t, err)
	res, err := f.Match(newEvent(`{}`), eventTime)
	require.ErrorIs(t, err, ErrScriptTimeout)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "script: script ran past its time limit (50ms)")
	require.False(t, res.Pass)

	t.Run("inside a coroutine", func(t *testing.T) {
		f, err := Compile(&v1alpha1.EventDependency{Filters: &v1alpha1.EventDependencyFilter{
			Script: `local co = coroutine.wrap(function() while true do end end); co(); return true`,
		}}, Options{ScriptTimeout: 50 * time.Millisecond})
		require.NoError(t, err)
		_, err = f.Match(newEvent(`{}`), eventTime)
		require.Error(t, err)
	})
	t.Run("a cancelled context stops the script", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		f, err := Compile(&v1alpha1.EventDependency{Filters: &v1alpha1.EventDependencyFilter{Script: `while true do end`}}, Options{})
		require.NoError(t, err)
		_, err = f.MatchContext(ctx, newEvent(`{}`), eventTime)
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("default timeout", func(t *testing.T) {
		f, err := Compile(&v1alpha1.EventDependency{Filters: &v1alpha1.EventDependencyFilter{Script: `return true`}}, Options{})
		require.NoError(t, err)
		require.Equal(t, DefaultScriptTimeout, f.script.timeout)
	})
}
