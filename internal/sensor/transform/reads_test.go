package transform

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadsOf(t *testing.T) {
	for _, tc := range []struct {
		prog string
		keys []string // nil: all
	}{
		{`.operation = {"ADD": "create", "UPDATE": "update", "DELETE": "delete"}[.type]`, []string{"operation", "type"}},
		{`.a.b.c`, []string{"a"}},
		{`."a b" | .c`, []string{"a b", "c"}},
		{`.["x"]`, []string{"x"}},
		{`{k: .o} | {z}`, []string{"o", "z"}},
		{`{o, "p"}`, []string{"o", "p"}},
		{`.x = "\(.y)"`, []string{"x", "y"}},
		{`.a as $v | .b = $v`, []string{"a", "b"}},
		{`if .c then .t elif .e then .u else .f end`, []string{"c", "e", "f", "t", "u"}},
		{`try .a catch .b`, []string{"a", "b"}},
		{`.a[.i:]`, []string{"a", "i"}},
		{`reduce .a[] as $i (0; $i)`, []string{"a"}},
		{`-.n`, []string{"n"}},
		{`empty`, []string{}},
		{`.`, nil},
		{`..`, nil},
		{`.[]`, nil},
		{`.[.k]`, nil},
		{`.[1:2]`, nil},
		{`keys`, nil},
		{`.a | length`, nil},
		{`del(.a)`, nil},
		{`def f: .a; f`, nil},
		{`.a as [$x] | $x`, nil},
		{`@base64`, nil},
		{`.a = (.b | tostring)`, nil},
		{`{(.k): 1}`, []string{"k"}},
		{`{"\(.k)"}`, nil},
	} {
		t.Run(tc.prog, func(t *testing.T) {
			r := jqReads(tc.prog)
			if tc.keys == nil {
				require.True(t, r.all, "%+v", r)
				return
			}
			require.False(t, r.all)
			var got []string
			for k := range r.keys {
				got = append(got, k)
			}
			slices.Sort(got)
			require.ElementsMatch(t, tc.keys, got)
		})
	}
}
