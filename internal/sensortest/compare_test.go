package sensortest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCompare(t *testing.T) {
	tests := []struct {
		name      string
		want, got string
		exact     bool
		diffs     []string
	}{
		{name: "subset ignores extra keys", want: `{"a":1}`, got: `{"a":1,"b":2}`},
		{name: "exact reports extra keys", want: `{"a":1}`, got: `{"a":1,"b":2}`, exact: true, diffs: []string{`b: not expected, got 2 (number)`}},
		{
			name: "number is not a string", want: `{"port":{"number":8080}}`, got: `{"port":{"number":"8080"}}`,
			diffs: []string{`port.number: want 8080 (number), got "8080" (string)`},
		},
		{name: "numbers by value", want: `{"n":1.50}`, got: `{"n":1.5}`},
		{name: "missing key", want: `{"a":{"b":true}}`, got: `{"a":{}}`, diffs: []string{`a.b: missing, want true`}},
		{name: "lists item by item", want: `[{"a":1},{"b":2}]`, got: `[{"a":1,"z":0},{"b":3}]`, diffs: []string{`[1].b: want 2 (number), got 3 (number)`}},
		{name: "lists of another length", want: `{"l":[1]}`, got: `{"l":[1,2]}`, diffs: []string{`l: want [1] (list), got [1,2] (list)`}},
		{
			name: "keys with dots", want: `{"labels":{"events.argoproj.io/sensor":"x"}}`, got: `{"labels":{"events.argoproj.io/sensor":"y"}}`,
			diffs: []string{`labels["events.argoproj.io/sensor"]: want "x" (string), got "y" (string)`},
		},
		{name: "nothing sent", want: `{"a":1}`, got: ``, diffs: []string{`(whole value): want {"a":1} (object), got null`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diffs, err := Compare([]byte(tt.want), []byte(tt.got), tt.exact)
			require.NoError(t, err)
			var got []string
			for _, d := range diffs {
				got = append(got, d.String())
			}
			require.Equal(t, tt.diffs, got)
		})
	}
}
