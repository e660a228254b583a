package filter

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// Inputs built to hurt: each row must finish quickly with the stated
// outcome, without a panic.
func TestMatchHostileData(t *testing.T) {
	deepArray := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	deepObject := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	none := v1alpha1.EmptyLogicalOperator
	runMatchCases(t, []matchCase{
		dataCase("nesting at the limit is read", none, `{"k":`+deepArray(MaxDepth-1)+`}`, true, str("k", `^\[`)),
		withErr(dataCase("nesting past the limit is not valid JSON", none, `{"k":`+deepArray(MaxDepth)+`}`, false, str("k", ".")), "not valid JSON", ErrInvalidData),
		withErr(dataCase("a million nested arrays", none, deepArray(1_000_000), false, str("0", ".")), "not valid JSON", ErrInvalidData),
		withErr(dataCase("a million nested objects", none, deepObject(1_000_000), false, str("a", ".")), "not valid JSON", ErrInvalidData),
		dataCase("brackets inside strings do not count", none, `{"k": "`+strings.Repeat("[", 2*MaxDepth)+`"}`, true, str("k", `^\[`)),
		withErr(dataCase("unterminated", none, `{"k": "v"`, false, str("k", "v")), "not valid JSON", ErrInvalidData),
		dataCase("invalid UTF-8 in a string", none, "{\"k\": \"a\xff\xfeb\"}", true, str("k", "^a.*b$")),
		dataCase("NUL bytes escaped", none, `{"k": "a\u0000b"}`, true, str("k", "a\x00b")),
		withErr(exprCase("exprs on nesting past the limit", none, newEvent(`{"k":`+deepArray(MaxDepth)+`}`), false, expr("k == 1", "k", "k")), "not valid JSON", ErrInvalidData),
		withErr(scriptCase("script on nesting past encoding/json's limit", `return true`, `{"k":`+deepArray(MaxDepth+1)+`}`, false), "not valid JSON", ErrInvalidData),
		dataCase("a large document", none, `{"items": [`+strings.Repeat(`{"name": "x", "v": 1},`, 50_000)+`{"name": "last"}]}`, true, str("items.#(name==\"last\").name", "last")),
	})
}

func TestTooDeep(t *testing.T) {
	for _, tc := range []struct {
		in   string
		deep bool
	}{
		{strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth), false},
		{strings.Repeat("[", MaxDepth+1), true},
		{`"` + strings.Repeat("[", MaxDepth+1) + `"`, false},
		{`"\"` + strings.Repeat("{", MaxDepth+1) + `"`, false},
		{`"\\"` + strings.Repeat("{", MaxDepth+1), true},
	} {
		require.Equal(t, tc.deep, tooDeep(tc.in))
	}
}
