package transform

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// spanPrograms move, copy, slice, sort and change parts of their input, so
// that a container whose bytes were reused wrongly would show.
var spanPrograms = []string{
	`.`,
	`.x = 1`,
	`.o.p = "changed"`,
	`{copy: ., inner: .o, again: .o}`,
	`.a |= (if type == "array" then reverse else . end)`,
	`.a |= (if type == "array" then sort else . end)`,
	`.a |= (if type == "array" then .[0:1] else . end)`,
	`.a |= (if type == "array" then . + [1] else . end)`,
	`del(.o.p)`,
	`{deep: [[[[.]]]]}`,
	`.o += {"z": true}`,
	`with_entries(.value = [.value])`,
	// Programs that look at some members only (see inputKeys).
	`.operation = {"a": "create", "o": "update"}[.k]`,
	`.x = .o.p`,
	`.x = (.a | length)`,
	`{k: .o}`,
	`.o as $v | .z = $v`,
	`{o}`,
	`.x = "\(.o)"`,
	`.x = .["a"]`,
	`.x |= 1`,
	`del(.a)`,
	`.x = (. | keys)`,
	`.x = .a[.i]`,
	`.x = (reduce .a[] as $i (0; . + 1))`,
	`.x = [.[]]`,
	`.x = .o?`,
	`.x = (try .o.p.q catch "no")`,
	`if .k then .o else .x = 1 end`,
	`.y = {(.k // "key"): 1}`,
	`.x = (.o | .p)`,
	`.x = ([paths] | length)`,
	`.x = (getpath(["o"]))`,
	`.x = (.a as [$f] | $f)`,
	`.x = @base64`,
	`.x = ..`,
}

// spanDocs are inputs in encode's form (as event sources write them) and
// not in it (indented, unsorted, escaped differently).
var spanDocs = []string{
	`{"a":[3,1,2,{"k":"v","l":[1,2,3,4,5,6,7]}],"o":{"p":{"q":"a long enough string value"},"r":[true,false,null]}}`,
	`{"a":[1e21,1e-7,0.5,-0,100000000000000000000],"o":{"p":"\u003cb\u003e \u0026 \u2028","q":"é中😀 long enough"}}`,
	`{"a":[{"b":1,"a":2},{"a":1,"b":2}],"o":{"p":"<b>","q":"x","s":"long enough to be a span"}}`,
	`{"o": {"p": {"q": "indented but long enough"}}, "a": [ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ]}`,
	`{"o":{"p":"\/slash escaped needlessly","q":"\u0041 escaped needlessly"},"a":[1.0,1E2,10e0,1e+2,5]}`,
	`{"o":{"p":1,"p":2,"q":"repeated key in an object"},"a":["\ud800 lone surrogate","ok string here"]}`,
	`{"o":{"p":"invalid ` + "\xff" + ` utf-8 in a string"},"a":[]}`,
}

func TestSpansGiveEncodingJSONBytes(t *testing.T) {
	for _, doc := range spanDocs {
		for _, prog := range spanPrograms {
			checkSpans(t, []byte(doc), prog)
		}
	}
	// The codec's seeds include documents nested MaxDepth deep, slow to
	// run through every program: a few of each kind are enough.
	for _, doc := range codecSeeds {
		for _, prog := range []string{`.`, `.x = 1`, `{copy: ., inner: .o}`, `.operation = {"a": "create"}[.k]`, `.x = .o.p`} {
			checkSpans(t, []byte(doc), prog)
		}
	}
}

func TestSpansRespectMaxDepth(t *testing.T) {
	inner := `{"k":"` + "padding to pass minSpan" + `"}`
	doc := `{"o":` + inner + `}`
	data, sp, err := decodeWithSpans([]byte(doc), true, nil)
	require.NoError(t, err)
	deep := data["o"]
	for range MaxDepth - 1 {
		deep = []any{deep}
	}
	_, err = encodeReusing(deep, sp, math.MaxInt, 0)
	require.NoError(t, err, "the string inside sits at MaxDepth")
	_, err = encodeReusing([]any{deep}, sp, math.MaxInt, 0)
	require.ErrorIs(t, err, ErrOutputTooLarge, "a reused container moved past MaxDepth must still be refused")
}

// checkSpans requires the decode–jq–encode path that reuses spans to write
// what json.Unmarshal, gojq and json.Marshal write.
func checkSpans(t *testing.T, data []byte, prog string) {
	t.Helper()
	code, err := compileJQ(prog, jqBudget(DefaultMaxOutputBytes))
	require.NoError(t, err)
	var in map[string]any
	if json.Unmarshal(data, &in) != nil || in == nil {
		return
	}
	wantV, ok := code.Run(in).Next()
	require.True(t, ok)
	if _, isErr := wantV.(error); isErr {
		return
	}
	want, err := json.Marshal(wantV)
	require.NoError(t, err)

	for _, need := range []*inputKeys{nil, jqReads(prog)} {
		got, sp, err := decodeWithSpans(data, true, need)
		require.NoError(t, err)
		gotV, _ := code.Run(got).Next()
		if _, isErr := gotV.(error); isErr {
			t.Fatalf("%s | %s: %v, where gojq on the whole input gave %s", data, prog, gotV, want)
		}
		b, err := encodeReusing(gotV, sp, math.MaxInt, 0)
		if _, plainErr := encode(gotV, math.MaxInt, 0); plainErr != nil && need == nil {
			require.ErrorIs(t, err, ErrOutputTooLarge, "%s | %s", data, prog)
			return
		}
		require.NoError(t, err)
		require.Equal(t, string(want), string(b), "%s | %s (reads %+v)", data, prog, need)
	}
}

func FuzzSpans(f *testing.F) {
	for _, doc := range spanDocs {
		f.Add([]byte(doc), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, prog uint8) {
		checkSpans(t, data, spanPrograms[int(prog)%len(spanPrograms)])
	})
}
