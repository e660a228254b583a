package metrics

import "github.com/prometheus/client_golang/prometheus"

// RegisterTraceDrops exports how many trace records the trace writer
// dropped because it fell behind (dropped is read at scrape time).
func RegisterTraceDrops(reg prometheus.Registerer, dropped func() uint64) {
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "herald_trace_records_dropped_total",
		Help: "Trace records dropped because the trace writer fell behind.",
	}, func() float64 { return float64(dropped()) }))
}
