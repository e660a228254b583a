package luascript

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
)

func run(t *testing.T, src string, data map[string]any) lua.LValue {
	t.Helper()
	s, err := Compile("test", src)
	require.NoError(t, err)
	ret, err := s.Run(t.Context(), data)
	require.NoError(t, err)
	return ret
}

// Interpreters are reused; nothing a script changes may be seen by the next
// run.
func TestRunsAreIsolated(t *testing.T) {
	for range 3 {
		ret := run(t, `
			local fresh = leaked == nil and string.upper("a") == "A" and getmetatable("").__index.upper ~= nil and event.n == 1 and math.pi ~= 3
			leaked = true
			string.upper = nil
			getmetatable("").__index = {}
			math.pi = 3
			event.n = 2
			return fresh`, map[string]any{"n": 1.0})
		require.Equal(t, lua.LTrue, ret)
	}
}

func TestRunAfterError(t *testing.T) {
	s, err := Compile("test", `error("boom")`)
	require.NoError(t, err)
	_, err = s.Run(t.Context(), nil)
	require.ErrorContains(t, err, "boom")
	require.Equal(t, lua.LTrue, run(t, `return true`, nil))
}

func TestRunStopsWithContext(t *testing.T) {
	s, err := Compile("test", `while true do end`)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err = s.Run(ctx, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestCompileError(t *testing.T) {
	_, err := Compile("test", `if then`)
	require.ErrorContains(t, err, "parsing Lua script")
}

func TestToGo(t *testing.T) {
	cases := []struct {
		src  string
		want any
	}{
		{`return nil`, nil},
		{`return 1.5`, 1.5},
		{`return "s"`, "s"},
		{`return false`, false},
		{`return {}`, map[string]any{}},
		{`return {1, "a", {x = 1}}`, []any{1.0, "a", map[string]any{"x": 1.0}}},
		{`return {1, nil, 3}`, []any{1.0, nil, 3.0}},
		{`return setmetatable({}, {__is_array = true})`, []any{}},
		{`return setmetatable({}, {__is_array = 1})`, map[string]any{}},
	}
	for _, tc := range cases {
		got, err := ToGo(run(t, tc.src, nil))
		require.NoError(t, err, tc.src)
		require.Equal(t, tc.want, got, tc.src)
	}
	_, err := ToGo(run(t, `local t = {}; t[1] = t; return t`, nil))
	require.ErrorIs(t, err, ErrNoJSON)
	_, err = ToGo(run(t, `return coroutine.create(function() end)`, nil))
	require.ErrorIs(t, err, ErrNoJSON)
}

func TestToTable(t *testing.T) {
	ret := run(t, `return event.s == "x" and event.n == 2 and event.b == true and event.z == nil and #event.a == 2 and event.a[2].k == "v" and event.o.p == 1`,
		map[string]any{"s": "x", "n": 2.0, "b": true, "z": nil, "a": []any{1.0, nil, []any{}, map[string]any{"k": "v"}}, "o": map[string]any{"p": 1.0}})
	require.Equal(t, lua.LTrue, ret)
}

func TestRunMemoryLimit(t *testing.T) {
	for _, src := range []string{
		`local s = "x"; while true do s = s .. s end`,
		`local t = {}; local i = 0; while true do i = i + 1; t[i] = {i, i, i} end`,
	} {
		s, err := Compile("mem", src)
		require.NoError(t, err)
		_, err = s.Run(t.Context(), nil)
		require.ErrorIs(t, err, ErrMemoryLimit)
	}
}

func TestBoundedLibraryCalls(t *testing.T) {
	for src, want := range map[string]string{
		`local t = {}; local s = string.rep("x", 1000000); for i = 1, 100 do t[i] = s end; return table.concat(t)`: "table.concat: result larger than",
		`return string.gsub(string.rep("x", 100000), "x", string.rep("y", 1000))`:                                  "string.gsub: result may be larger than",
	} {
		s, err := Compile("lib", src)
		require.NoError(t, err)
		_, err = s.Run(t.Context(), nil)
		require.ErrorContains(t, err, want)
	}
	s, err := Compile("lib", `return table.concat({"a", "b", 1}, ",") .. string.gsub("abc", "b", "%0%0")`)
	require.NoError(t, err)
	v, err := s.Run(t.Context(), nil)
	require.NoError(t, err)
	require.Equal(t, "a,b,1abbc", v.String())
}
