package v1alpha1_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestInt64OrStringJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    v1alpha1.Int64OrString
		out     string
		asInt   int64
		wantErr bool
	}{
		{name: "integer", in: `1000000000`, want: v1alpha1.FromInt64(1000000000), out: `1000000000`, asInt: 1000000000},
		{name: "zero", in: `0`, want: v1alpha1.FromInt64(0), out: `0`},
		{name: "negative", in: `-5`, want: v1alpha1.FromInt64(-5), out: `-5`, asInt: -5},
		{name: "max int64", in: `9223372036854775807`, want: v1alpha1.FromInt64(9223372036854775807), out: `9223372036854775807`, asInt: 9223372036854775807},
		{name: "duration string", in: `"10s"`, want: v1alpha1.FromString("10s"), out: `"10s"`},
		{name: "numeric string stays a string", in: `"42"`, want: v1alpha1.FromString("42"), out: `"42"`, asInt: 42},
		{name: "empty string", in: `""`, want: v1alpha1.FromString(""), out: `""`},
		{name: "fraction", in: `1.5`, wantErr: true},
		{name: "boolean", in: `true`, wantErr: true},
		{name: "object", in: `{"type":0}`, wantErr: true},
		{name: "overflow", in: `9223372036854775808`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v v1alpha1.Int64OrString
			err := json.Unmarshal([]byte(tt.in), &v)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, v)
			require.Equal(t, tt.asInt, v.Int64Value())
			out, err := json.Marshal(v)
			require.NoError(t, err)
			require.Equal(t, tt.out, string(out))
		})
	}
}

func TestInt64OrStringHelpers(t *testing.T) {
	require.Equal(t, v1alpha1.FromInt64(12), v1alpha1.ParseInt64OrString("12"))
	require.Equal(t, v1alpha1.FromString("12s"), v1alpha1.ParseInt64OrString("12s"))
	require.Equal(t, "12", v1alpha1.FromInt64(12).String())
	require.Equal(t, "3m", v1alpha1.FromString("3m").String())

	_, err := json.Marshal(v1alpha1.Int64OrString{Type: 7})
	require.Error(t, err)
}
