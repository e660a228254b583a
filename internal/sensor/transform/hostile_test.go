package transform

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/sensor/luascript"
)

// Programs and data built to hurt: each must end quickly with an error,
// without a panic or a hang.
func TestApplyHostile(t *testing.T) {
	deep := func(n int) string { return `{"a":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}` }
	cases := []struct {
		name  string
		spec  *v1alpha1.EventDependencyTransformer
		data  string
		errIs error
		err   string
	}{
		{name: "jq infinite recursion", spec: jq(`def f: f; f`), data: `{}`, errIs: ErrTimeout},
		{name: "jq infinite non-tail recursion", spec: jq(`def f: [f]; f`), data: `{}`, errIs: ErrTimeout},
		{name: "jq a billion-element array", spec: jq(`[range(1e9)]`), data: `{}`, errIs: ErrTimeout},
		{name: "jq endless loop", spec: jq(`last(repeat(1))`), data: `{}`, errIs: ErrTimeout},
		{name: "jq output past the size limit", spec: jq(`{a: [range(100000) | "0123456789"]}`), data: `{}`, errIs: ErrOutputTooLarge, err: "more than 65536 bytes"},
		{name: "jq output nested too deep", spec: jq(`reduce range(10001) as $i (.; {a: .})`), data: `{}`, errIs: ErrOutputTooLarge, err: "nested deeper than 10000"},
		{name: "lua endless loop", spec: luaScript(`while true do end`), data: `{}`, errIs: ErrTimeout},
		{name: "lua endless loop in a coroutine", spec: luaScript(`coroutine.wrap(function() while true do end end)(); return event`), data: `{}`, errIs: ErrTimeout},
		{name: "lua string.rep bomb", spec: luaScript(`event.s = string.rep("x", 1e12); return event`), data: `{}`, err: "result larger than"},
		{name: "lua output past the size limit", spec: luaScript(`local t = {}; for i = 1, 20000 do t[i] = "0123456789" end; return t`), data: `{}`, errIs: ErrOutputTooLarge},
		{name: "lua no os", spec: luaScript(`os.execute("true"); return event`), data: `{}`, err: "attempt to call a non-function"},
		{name: "lua no io", spec: luaScript(`io.open("/etc/passwd"); return event`), data: `{}`, err: "attempt to index a non-table"},
		// Single steps that ignored the deadline or exhausted memory before
		// jqlimit (regressions).
		{name: "jq tojson of a value doubled 30 times", spec: jq(`{a: (reduce range(30) as $i ([1]; [., .]) | tojson)}`), data: `{}`, errIs: ErrOutputTooLarge, err: "jq value larger than the limit"},
		{name: "jq == on a value doubled 40 times", spec: jq(`{a: (reduce range(40) as $i ([1]; [., .]) | . == .)}`), data: `{}`, errIs: ErrOutputTooLarge},
		{name: "jq flatten of a doubled value", spec: jq(`{a: (reduce range(30) as $i ([1]; [., .]) | flatten | length)}`), data: `{}`, errIs: ErrOutputTooLarge},
		{name: "jq sort of doubled values", spec: jq(`{a: (reduce range(30) as $i ([1]; [., .]) | [., .] | sort | length)}`), data: `{}`, errIs: ErrOutputTooLarge},
		{name: "jq string times a billion", spec: jq(`{a: ("x" * 1e9)}`), data: `{}`, errIs: ErrOutputTooLarge, err: "repeated string"},
		{name: "jq string doubled by +", spec: jq(`{a: (reduce range(40) as $i ("x"; . + .) | length)}`), data: `{}`, errIs: ErrOutputTooLarge, err: "sum"},
		{name: "jq string doubled by +=", spec: jq(`reduce range(40) as $i ({a: "x"}; .a += .a)`), data: `{}`, errIs: ErrOutputTooLarge, err: "sum"},
		{name: "jq assignment past a huge index", spec: jq(`.a[500000000] = 1`), data: `{}`, errIs: ErrOutputTooLarge, err: "array index"},
		{name: "jq update past a huge index", spec: jq(`.a[500000000] |= 1`), data: `{}`, errIs: ErrOutputTooLarge, err: "array index"},
		{name: "jq setpath past a huge index", spec: jq(`setpath(["a", 500000000]; 1)`), data: `{}`, errIs: ErrOutputTooLarge, err: "array index"},
		{name: "lua string doubled in a loop", spec: luaScript(`local s = "x"; while true do s = s .. s end`), data: `{}`, errIs: luascript.ErrMemoryLimit},
		{name: "lua table.concat of a gigabyte", spec: luaScript(`local t = {}; local s = string.rep("x", 1000000); for i = 1, 1000 do t[i] = s end; return {r = table.concat(t)}`), data: `{}`, err: "table.concat: result larger than"},
		{name: "lua gsub that multiplies", spec: luaScript(`local s = string.rep("x", 1000000); return {r = string.gsub(s, "x", string.rep("y", 1000))}`), data: `{}`, err: "string.gsub: result may be larger than"},
		{name: "data nested past encoding/json's limit", spec: jq(`.`), data: deep(10001), errIs: ErrInvalidData},
		{name: "a million nested arrays", spec: jq(`.`), data: deep(1_000_000), errIs: ErrInvalidData},
		{name: "data that is not JSON", spec: luaScript(`return event`), data: "\x00\x01", errIs: ErrInvalidData},
		{name: "truncated data", spec: jq(`.`), data: `{"a": [1, 2`, errIs: ErrInvalidData},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			timeout := 200 * time.Millisecond
			if !errors.Is(tc.errIs, ErrTimeout) {
				// Generous, so that a slow machine (or -race) does not turn
				// the expected error into a timeout.
				timeout = 30 * time.Second
			}
			tr, err := Compile(tc.spec, Options{Timeout: timeout, MaxOutputBytes: 64 << 10})
			require.NoError(t, err)
			start := time.Now()
			out, err := tr.Apply(t.Context(), newEvent(tc.data))
			require.Nil(t, out)
			require.Error(t, err)
			if tc.errIs != nil {
				require.ErrorIs(t, err, tc.errIs)
			}
			require.ErrorContains(t, err, tc.err)
			if errors.Is(tc.errIs, ErrTimeout) {
				require.ErrorIs(t, err, context.DeadlineExceeded)
			}
			t.Logf("%s after %s", err, time.Since(start).Round(time.Millisecond))
		})
	}
}

func TestApplyCancelled(t *testing.T) {
	tr, err := Compile(jq(`def f: f; f`), Options{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = tr.Apply(ctx, newEvent(`{}`))
	require.ErrorIs(t, err, context.Canceled)
}

func TestApplyDefaults(t *testing.T) {
	tr, err := Compile(jq(`.`), Options{})
	require.NoError(t, err)
	require.Equal(t, DefaultTimeout, tr.timeout)
	require.Equal(t, DefaultMaxOutputBytes, tr.maxBytes)
}

func TestCheckSizeIsALowerBound(t *testing.T) {
	// The walker must never refuse what encodes within the limit.
	for _, v := range []any{
		nil, true, "", "é", 1.5, map[string]any{}, []any{}, map[string]any{"a": []any{1.0, "x", nil, map[string]any{"b": false}}},
	} {
		b, err := jsonMarshal(v)
		require.NoError(t, err)
		require.NoError(t, checkSize(v, len(b)), "%s", b)
	}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
