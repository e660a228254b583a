package cli

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/golden"
)

// TestTestAutoIngress runs the example's SensorTest, cases C1–C7.
func TestTestAutoIngress(t *testing.T) {
	r := runHerald(t, "test", autoIngress+"ingress-sn.test.yaml")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	golden.Check(t, "testdata/golden/test-auto-ingress.txt", []byte(r.stdout))
}

func TestTestText(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"shop-passes", []string{shopDir + "shop.test.yaml"}, 0},
		{"shop-failing", []string{shopDir + "failing.test.yaml"}, 1},
		{"shop-invalid", []string{shopDir + "invalid.test.yaml"}, 1},
		{"shop-dir", []string{shopDir}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runHerald(t, append([]string{"test"}, tc.args...)...)
			require.Equal(t, tc.code, r.code, r.stderr)
			require.Empty(t, r.stderr)
			golden.Check(t, "testdata/golden/test-"+tc.name+".txt", []byte(r.stdout))
		})
	}
}

func TestTestJSON(t *testing.T) {
	r := runHerald(t, "test", "-o", "json", shopDir+"failing.test.yaml")
	require.Equal(t, 1, r.code, r.stderr)
	require.True(t, json.Valid([]byte(r.stdout)))
	golden.Check(t, "testdata/golden/test-shop-failing.json.golden", []byte(r.stdout))
}

func TestTestNoFiles(t *testing.T) {
	r := runHerald(t, "test", "testdata")
	require.Equal(t, 2, r.code)
	require.Equal(t, "herald: no test files (*.test.yaml) in testdata\n", r.stderr)
}
