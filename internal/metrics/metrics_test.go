package metrics

import (
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventbus/jetstream"
)

// registerAll registers every Herald metric with a new registry and
// records one value in each, so that each shows in a scrape.
func registerAll(t *testing.T) *prometheus.Registry {
	t.Helper()
	reg := prometheus.NewRegistry()
	RegisterBus(reg, func() jetstream.Stats { return jetstream.Stats{Published: 3} })
	src := NewSources(reg)
	src.EventEmitted("ns", "es", "ev")
	src.EventFailed("ns", "es", "ev")
	src.SourceRestarted("ns", "es", "ev")
	src.InputRejected("ns", "es", "ev", "not JSON")
	src.ObservePublish("es", "ev", time.Millisecond)
	NewAdmission(reg).Reviewed("Sensor", "denied")
	sn := NewSensors(reg).For("ns", "sn")
	sn.EventReceived()
	sn.EventFiltered("dep", "filter")
	sn.EventTransformed("dep")
	sn.TriggerSucceeded("tr")
	sn.TriggerFailed("tr", true)
	sn.TriggerRetried("tr", 2)
	sn.TriggerDuration("tr", 20*time.Millisecond)
	sn.DeadLettered("tr")
	sn.EventHandled(50 * time.Millisecond)
	NewReconciles(reg).For("ns", "sn").Reconciled("tr", "restored")
	RegisterTraceDrops(reg, func() uint64 { return 0 })
	return reg
}

func TestSensorMetrics(t *testing.T) {
	reg := registerAll(t)
	mfs, err := reg.Gather()
	require.NoError(t, err)
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch {
			case m.GetCounter() != nil:
				got[mf.GetName()] += m.GetCounter().GetValue()
			case m.GetHistogram() != nil:
				got[mf.GetName()] += float64(m.GetHistogram().GetSampleCount())
			}
			if mf.GetName() == "herald_sensor_trigger_duration_seconds" {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				require.Equal(t, map[string]string{"namespace": "ns", "sensor": "sn", "trigger": "tr"}, labels)
			}
		}
	}
	require.InDelta(t, 2, got["herald_sensor_trigger_retries_total"], 0)
	require.InDelta(t, 1, got["herald_sensor_events_transformed_total"], 0)
	require.InDelta(t, 1, got["herald_sensor_trigger_duration_seconds"], 0)
	require.InDelta(t, 1, got["herald_sensor_event_latency_seconds"], 0)
}

// TestEveryMetricIsDocumented keeps docs/metrics.md and the code in step:
// every metric Herald registers is in the table, and the table names no
// metric that does not exist.
func TestEveryMetricIsDocumented(t *testing.T) {
	mfs, err := registerAll(t).Gather()
	require.NoError(t, err)
	var registered []string
	for _, mf := range mfs {
		registered = append(registered, mf.GetName())
	}
	doc, err := os.ReadFile("../../docs/metrics.md")
	require.NoError(t, err)
	var documented []string
	for _, m := range regexp.MustCompile("`(herald_[a-z_]+)`").FindAllSubmatch(doc, -1) {
		if name := string(m[1]); !slices.Contains(documented, name) {
			documented = append(documented, name)
		}
	}
	require.ElementsMatch(t, registered, documented)
}
