package param

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkExpressionParam measures one expression parameter on the
// auto-ingress event: decoding the 3 kB of data, the jq run and the
// encoding of the list it builds (the B2 paths expression of
// ingress-sn-herald.yaml).
func BenchmarkExpressionParam(b *testing.B) {
	sensor := loadSensor(b, "ingress-sn.yaml")
	events := autoIngressEvents(b, sensor, "payload.json")
	herald := loadSensor(b, "ingress-sn-herald.yaml")
	params := herald.Spec.Triggers[0].Template.K8s.Parameters
	src := params[len(params)-1].Src
	require.NotEmpty(b, src.Expression)
	s, err := newSource(src)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.resolve(events, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
