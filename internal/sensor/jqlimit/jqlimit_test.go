package jqlimit

import (
	"testing"
	"time"

	"github.com/itchyny/gojq"
	"github.com/stretchr/testify/require"
)

// Programs whose result must be what gojq gives without the checks.
func TestSameAsGojq(t *testing.T) {
	input := map[string]any{"a": 1.0, "s": "ab", "x": []any{1.0, 2.0}, "o": map[string]any{"k": map[string]any{"a": 1.0}}}
	for _, src := range []string{
		`1 + 1.5`, `9223372036854775807 + 1`, `-9223372036854775808 - 1`, `4611686018427387904 * 4`, `3 * -1`, `0 * 5`,
		`null + 1`, `1 + null`, `"a" + "b"`, `[1] + [2]`, `{a: 1} + {b: 2}`, `.x - [1]`, `"ab" * 0`, `"ab" * 2.5`, `0 * "ab"`,
		`.o * {o: {k: {b: 2}}}`, `{} * .o`, `[1] < [2]`, `{} == {}`, `1 == 1.0`, `null < false`, `"a" >= "b"`, `.a != 1`,
		`(1,2) + (10,20)`, `[(1,2) * (3,4)]`, `.a += 1`, `.x[1] = 5`, `.x[0] |= . * 10`, `.s *= 2`, `.x -= [2]`,
		`.o.k.a = 3`, `.["a"] = 2`, `setpath(["x", 1]; 9)`, `[.x[] | tojson]`, `.x | flatten`, `.x | contains([1])`,
		`[.x[] | . + 1] | add`, `.x | join(",")`, `try ("a" - 1) catch .`, `try ([] * 2) catch .`, `"\(1 + 2)"`,
		`def f(x): x + 1; f(2)`, `reduce .x[] as $v (0; . + $v)`, `[foreach .x[] as $v (0; . + $v; . * 2)]`,
		`{(.s + "k"): (.a + 1)}`, `.x[1 + 0]`, `if .a + 1 == 2 then "y" else "n" end`, `[limit(3; range(10) | . * 2)]`,
	} {
		q, err := gojq.Parse(src)
		require.NoError(t, err, src)
		plain, err := gojq.Compile(q)
		require.NoError(t, err, src)
		checked, err := Compile(src, MinBudget)
		require.NoError(t, err, src)
		require.Equal(t, all(plain, input), all(checked, input), src)
	}
}

// all collects every output of a program, errors as their messages.
func all(code *gojq.Code, input any) []any {
	var out []any
	iter := code.Run(input)
	for {
		v, ok := iter.Next()
		if !ok {
			return out
		}
		if err, ok := v.(error); ok {
			out = append(out, "error: "+err.Error())
			return out
		}
		out = append(out, v)
	}
}

// Steps that would exhaust memory or ignore the deadline are refused.
func TestRefused(t *testing.T) {
	doubled := `reduce range(40) as $i ([1]; [., .])`
	for src, want := range map[string]string{
		`"x" * 1e9`:                                   "repeated string",
		`1e9 * "x"`:                                   "repeated string",
		doubled + ` | tojson`:                         "value past",
		doubled + ` | . == .`:                         "value past",
		doubled + ` | [., .] | sort`:                  "value past",
		doubled + ` | flatten`:                        "value past",
		doubled + ` | contains(.)`:                    "value past",
		doubled + ` | . - .`:                          "value past",
		`{a: ` + doubled + `} * {a: {}}`:              "value past",
		`reduce range(40) as $i ("x"; . + .)`:         "sum past",
		`reduce range(40) as $i ({a: "x"}; .a += .a)`: "sum past",
		`null | .[500000000] = 1`:                     "array index",
		`null | .[500000000] |= 1`:                    "array index",
		`null | setpath([500000000]; 1)`:              "array index",
		`[range(10)] | .[5:500000000] = [1]`:          "array index",
	} {
		code, err := Compile(src, MinBudget)
		require.NoError(t, err, src)
		start := time.Now()
		v, _ := code.Run(nil).Next()
		err, _ = v.(error)
		require.ErrorIs(t, err, ErrTooLarge, src)
		require.ErrorContains(t, err, want, src)
		require.Less(t, time.Since(start), 30*time.Second, src)
	}
}
