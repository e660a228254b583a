package transform

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// BenchmarkJQ runs the auto-ingress Sensor's jq transform (and the
// "beyond" variant, and the same in Lua) on the scenario's bus event.
func BenchmarkJQ(b *testing.B) {
	ev := newResourceEvent(readFile(b, "testdata/auto-ingress-payload.json"))
	for _, tc := range []struct {
		name string
		spec *v1alpha1.EventDependencyTransformer
	}{
		{"auto-ingress", jq(autoIngressJQ)},
		{"auto-ingress-beyond", jq(autoIngressBeyondJQ)},
		{"auto-ingress-lua", luaScript(autoIngressLua)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			tr, err := Compile(tc.spec, Options{Strict: true})
			require.NoError(b, err)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tr.Apply(b.Context(), ev); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
