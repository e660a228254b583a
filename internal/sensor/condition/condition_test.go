package condition

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseGood(t *testing.T) {
	tests := []struct {
		expr   string
		str    string // String() of the parsed tree
		names  []string
		asTree string // fully parenthesised structure
	}{
		{"test-dep", "test-dep", []string{"test-dep"}, "test-dep"},
		{"  a  ", "a", []string{"a"}, "a"},
		{"a&&b", "a && b", []string{"a", "b"}, "(a&b)"},
		{
			"(test-dep-1 && test-dep-2) || test-dep-3", "test-dep-1 && test-dep-2 || test-dep-3",
			[]string{"test-dep-1", "test-dep-2", "test-dep-3"},
			"((test-dep-1&test-dep-2)|test-dep-3)",
		},
		{"a || b && c", "a || b && c", []string{"a", "b", "c"}, "(a|(b&c))"},
		{"(a || b) && c", "(a || b) && c", []string{"a", "b", "c"}, "((a|b)&c)"},
		{"a && (b && c)", "a && (b && c)", []string{"a", "b", "c"}, "(a&(b&c))"},
		{"a && b && c", "a && b && c", []string{"a", "b", "c"}, "((a&b)&c)"},
		{"!a", "!a", []string{"a"}, "!a"},
		{"!!a", "!!a", []string{"a"}, "!!a"},
		{"! ( a || b )", "!(a || b)", []string{"a", "b"}, "!(a|b)"},
		{"!a && b", "!a && b", []string{"a", "b"}, "(!a&b)"},
		{"((a))", "a", []string{"a"}, "a"},
		{"dep.v1_x && dep.v1_x", "dep.v1_x && dep.v1_x", []string{"dep.v1_x"}, "(dep.v1_x&dep.v1_x)"},
		{"\ta\n&&\r\nb", "a && b", []string{"a", "b"}, "(a&b)"},
		{"1 || 2", "1 || 2", []string{"1", "2"}, "(1|2)"},
		{"dépendance", "dépendance", []string{"dépendance"}, "dépendance"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := Parse(tt.expr)
			require.NoError(t, err)
			require.Equal(t, tt.str, e.String())
			require.Equal(t, tt.names, e.Names())
			require.Equal(t, tt.asTree, tree(e))
			again, err := Parse(e.String())
			require.NoError(t, err)
			require.Equal(t, e, again)
		})
	}
}

// tree renders e with every binary node parenthesised, & for && and | for ||.
func tree(e *Expr) string {
	switch e.Op {
	case OpName:
		return e.Name
	case OpNot:
		return "!" + tree(e.Args[0])
	case OpAnd:
		return "(" + tree(e.Args[0]) + "&" + tree(e.Args[1]) + ")"
	default:
		return "(" + tree(e.Args[0]) + "|" + tree(e.Args[1]) + ")"
	}
}

func TestParseBad(t *testing.T) {
	tests := []struct {
		expr string
		err  string
	}{
		{"", `at offset 0: expected dependency name, found end of expression`},
		{"   ", `at offset 3: expected dependency name, found end of expression`},
		{"a && ()", `at offset 6: expected dependency name, found ")"`},
		{"(a && b", `at offset 7: expected ")" to close "(" at offset 0, found end of expression`},
		{"a && b)", `at offset 6: expected "&&", "||" or end of expression, found ")"`},
		{"a b", `at offset 2: expected "&&", "||" or end of expression, found "b"`},
		{"a &&", `at offset 4: expected dependency name, found end of expression`},
		{"|| a", `at offset 0: expected dependency name, found "||"`},
		{"a & b", `at offset 2: unexpected "&" (did you mean "&&"?)`},
		{"a | b", `at offset 2: unexpected "|" (did you mean "||"?)`},
		{"a |", `at offset 2: unexpected "|" (did you mean "||"?)`},
		{"a && $b", `at offset 5: unexpected character "$"`},
		{"a == b", `at offset 2: unexpected character "="`},
		{"a && !", `at offset 6: expected dependency name, found end of expression`},
		{"a\xff", `at offset 1: invalid UTF-8`},
		{strings.Repeat("(", 300) + "a" + strings.Repeat(")", 300), `at offset 256: expression nested more than 256 levels deep`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := Parse(tt.expr)
			require.EqualError(t, err, tt.err)
			var se *SyntaxError
			require.True(t, errors.As(err, &se))
		})
	}
}

func TestEval(t *testing.T) {
	// Each row lists the expected result for (a, b, c) =
	// FFF FFT FTF FTT TFF TFT TTF TTT.
	tests := []struct {
		expr string
		want string
	}{
		{"a", "FFFFTTTT"},
		{"!a", "TTTTFFFF"},
		{"a && b", "FFFFFFTT"},
		{"a || b", "FFTTTTTT"},
		{"a || b && c", "FFFTTTTT"},
		{"(a || b) && c", "FFFTFTFT"},
		{"!(a && b) || c", "TTTTTTFT"},
		{"!a && !b && !c", "TFFFFFFF"},
		{"(a && b) || (!a && c)", "FTFTFFTT"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := Parse(tt.expr)
			require.NoError(t, err)
			var got strings.Builder
			for i := range 8 {
				vals := map[string]bool{"a": i&4 != 0, "b": i&2 != 0, "c": i&1 != 0}
				if e.Eval(func(n string) bool { return vals[n] }) {
					got.WriteByte('T')
				} else {
					got.WriteByte('F')
				}
			}
			require.Equal(t, tt.want, got.String())
		})
	}
}

func TestEvalShortCircuits(t *testing.T) {
	e, err := Parse("a || b")
	require.NoError(t, err)
	var asked []string
	require.True(t, e.Eval(func(n string) bool { asked = append(asked, n); return true }))
	require.Equal(t, []string{"a"}, asked)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"a", "a && b", "(a || b) && !c", "!!(x.y-z_1)", "a &", "((", ")", "a || (b && (c || !d))",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			require.True(t, errors.As(err, &se))
			require.GreaterOrEqual(t, se.Offset, 0)
			require.LessOrEqual(t, se.Offset, len(s))
			return
		}
		again, err := Parse(e.String())
		require.NoError(t, err, "re-parsing %q", e.String())
		require.Equal(t, e, again)
		require.Equal(t, e.String(), again.String())
		require.NotEmpty(t, e.Names())
	})
}
