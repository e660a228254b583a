package v1alpha1_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestAmountJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		out     string
		float   float64
		wantErr bool
	}{
		{name: "integer", in: `2`, out: `2`, float: 2},
		{name: "decimal", in: `0.1`, out: `0.1`, float: 0.1},
		{name: "trailing zero kept", in: `5.0`, out: `5.0`, float: 5},
		{name: "exponent", in: `1e3`, out: `1e3`, float: 1000},
		{name: "negative", in: `-1.5`, out: `-1.5`, float: -1.5},
		{name: "string holding a decimal", in: `"2.5"`, out: `2.5`, float: 2.5},
		{name: "string with spaces", in: `" 3 "`, out: `3`, float: 3},
		{name: "string not a number", in: `"fast"`, wantErr: true},
		{name: "string in a non-JSON number form", in: `"0x10"`, wantErr: true},
		{name: "infinity", in: `"Inf"`, wantErr: true},
		{name: "empty string", in: `""`, wantErr: true},
		{name: "boolean", in: `true`, wantErr: true},
		{name: "object", in: `{"value":"2"}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a v1alpha1.Amount
			err := json.Unmarshal([]byte(tt.in), &a)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			f, err := a.Float64()
			require.NoError(t, err)
			require.InDelta(t, tt.float, f, 1e-12)
			out, err := json.Marshal(a)
			require.NoError(t, err)
			require.JSONEq(t, tt.out, string(out))
			require.Equal(t, tt.out, string(out), "the decimal text is kept as written")
		})
	}
}

func TestAmountInStruct(t *testing.T) {
	var b v1alpha1.Backoff
	require.NoError(t, json.Unmarshal([]byte(`{"factor":2,"jitter":"0.2","steps":3}`), &b))
	out, err := json.Marshal(b)
	require.NoError(t, err)
	require.JSONEq(t, `{"factor":2,"jitter":0.2,"steps":3}`, string(out))

	var zero v1alpha1.Amount
	out, err = json.Marshal(zero)
	require.NoError(t, err)
	require.Equal(t, `0`, string(out), "an unset amount is written as 0")
}
