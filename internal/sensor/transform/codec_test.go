package transform

import (
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// codecSeeds are documents whose decoding or encoding has a rule of its own.
var codecSeeds = []string{
	`{}`, `null`, ` {"a" : 1 } `, "\t\r\n{}\n", `{"a":1,"a":2}`, `[]`, `"s"`, `1`, `{"a":1}x`, `{"a":1}}`, ``, `{`, `{"a"}`, `{"a":}`, `{,}`, `{"a":1,}`, `{"a":[1,]}`,
	`{"n":[0,-0,1.5,-1.5e3,1E+2,1e-7,0.000001,1e21,1e20,123456789012345678901234567890,5e-324,1.7976931348623157e308]}`,
	`{"n":1e400}`, `{"n":-1e400}`, `{"n":01}`, `{"n":1.}`, `{"n":.5}`, `{"n":-}`, `{"n":1e}`, `{"n":+1}`, `{"n":0x10}`, `{"n":NaN}`, `{"n":1e-400}`,
	`{"s":"\"\\\/\b\f\n\r\t"}`, `{"s":"\u0041\u00e9\u4e2d"}`, `{"s":"\ud83d\ude00"}`, `{"s":"\ud800"}`, `{"s":"\ud800\u0041"}`, `{"s":"\udc00\ud800"}`, `{"s":"\ud800\ud800\udc00"}`,
	`{"s":"\u2028\u2029<>&"}`, `{"s":"\'"}`, `{"s":"\x"}`, `{"s":"\u12"}`, `{"s":"\u12g4"}`, "{\"s\":\"a\x01b\"}", "{\"s\":\"a\xffb\xc3\"}", "{\"s\":\"\xef\xbb\xbfbom\"}", "\xef\xbb\xbf{}",
	`{"t":true,"f":false,"z":null,"o":{"p":[{"q":[]}]}}`, `{"a":tru}`, `{"a":nul}`, `{"a":True}`,
	`{"k` + "\x7f" + `":1}`, `{"":""}`,
	`{"a":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`,
	`{"a":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`,
}

func TestDecodeObjectMatchesEncodingJSON(t *testing.T) {
	for _, doc := range codecSeeds {
		checkDecode(t, []byte(doc))
	}
}

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	values := []any{
		nil, true, false, 0.0, math.Copysign(0, -1), 1.0, -1.5, 1e20, 1e21, 1e-6, 1e-7, 123456789.0, 5e-324, math.MaxFloat64,
		3, -7, big.NewInt(0).Lsh(big.NewInt(1), 100), (*big.Int)(nil),
		"", "plain", "\"\\/\b\f\n\r\t\x00\x1f\x7f", "<a href='x'>&amp;</a>", "\u2028\u2029", "é中😀", "a\xffb\xc3", "\ufffd",
		map[string]any(nil), []any(nil),
		map[string]any{},
		[]any{},
		map[string]any{"b": 1.0, "a": []any{"x", nil, map[string]any{"<": ">"}}, "é": true, "\xff": 1.0},
		math.NaN(), math.Inf(1), float32(1.5),
		map[string]int{"a": 1},
		[]string{"x"},
	}
	for _, v := range values {
		checkEncode(t, v)
	}
	for _, doc := range codecSeeds {
		var v any
		if json.Unmarshal([]byte(doc), &v) == nil {
			checkEncode(t, v)
		}
	}
}

func TestEncodeLimits(t *testing.T) {
	_, err := encode(map[string]any{"a": strings.Repeat("x", 100)}, 50, 0)
	require.ErrorIs(t, err, ErrOutputTooLarge)
	b, err := encode(map[string]any{"a": strings.Repeat("x", 100)}, 108, 0)
	require.NoError(t, err)
	require.Len(t, b, 108)
	var deep any = map[string]any{}
	for range MaxDepth + 1 {
		deep = []any{deep}
	}
	_, err = encode(deep, 1<<30, 0)
	require.ErrorIs(t, err, ErrOutputTooLarge)
	require.ErrorContains(t, err, "nested deeper")
	_, err = encode([]any{math.NaN(), strings.Repeat("x", 100)}, 50, 0)
	require.ErrorIs(t, err, ErrOutputTooLarge, "a fallback value is still held to the limit")
}

// checkDecode requires decodeObject, and its fast path alone, to agree with
// json.Unmarshal.
func checkDecode(t *testing.T, data []byte) {
	t.Helper()
	var want map[string]any
	wantErr := json.Unmarshal(data, &want)
	got, err := decodeObject(data)
	require.Equal(t, wantErr == nil, err == nil, "%q: encoding/json error %v, ours %v", data, wantErr, err)
	if wantErr != nil {
		require.Equal(t, wantErr.Error(), err.Error())
		return
	}
	require.True(t, reflect.DeepEqual(want, got), "%q: encoding/json %#v, ours %#v", data, want, got)
	d := decoder{data: data, text: string(data)}
	if fast, ok := d.top(); ok {
		require.True(t, reflect.DeepEqual(want, fast), "%q: fast path %#v", data, fast)
	}
}

// checkEncode requires encode to agree with json.Marshal.
func checkEncode(t *testing.T, v any) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, err := encode(v, math.MaxInt, 0)
	require.Equal(t, wantErr == nil, err == nil, "%#v: encoding/json error %v, ours %v", v, wantErr, err)
	if wantErr == nil {
		require.Equal(t, string(want), string(got), "%#v", v)
	}
}

func FuzzDecode(f *testing.F) {
	for _, doc := range codecSeeds {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}

func FuzzEncode(f *testing.F) {
	f.Add([]byte(`{"a":[1,"x",null]}`), "s\u2028<", 1.5, int64(3))
	f.Add([]byte(`"\ud800"`), "\xff", 1e21, int64(-1))
	f.Add([]byte(`[1e-7]`), "", 1e-7, int64(0))
	f.Fuzz(func(t *testing.T, data []byte, s string, x float64, i int64) {
		var v any
		if json.Unmarshal(data, &v) == nil {
			checkEncode(t, v)
		}
		checkEncode(t, map[string]any{s: x, "s": s, "i": int(i), "a": []any{s, x}})
	})
}
