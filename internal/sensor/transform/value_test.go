package transform

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// DecodeValue and EncodeValue must agree with encoding/json for any JSON
// value, not only the objects a transform takes.
func TestDecodeEncodeValue(t *testing.T) {
	for _, in := range []string{
		`{"b": [1, 2.5, "x"], "a": {"n": null}}`, ` [3, {"k": true}] `, `"text <&>"`, `8080`, `1e400`, `null`, `false`,
	} {
		t.Run(in, func(t *testing.T) {
			var want any
			wantErr := json.Unmarshal([]byte(in), &want)
			got, err := DecodeValue([]byte(in))
			if wantErr != nil {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, want, got)
			wantOut, err := json.Marshal(want)
			require.NoError(t, err)
			out, err := EncodeValue(got, 1<<20)
			require.NoError(t, err)
			require.Equal(t, string(wantOut), string(out))
		})
	}
	for _, in := range []string{``, `{`, `[1,]`, `nul`} {
		_, err := DecodeValue([]byte(in))
		require.Error(t, err, "%q", in)
	}
	_, err := EncodeValue([]any{"0123456789"}, 8)
	require.ErrorIs(t, err, ErrOutputTooLarge)
}
