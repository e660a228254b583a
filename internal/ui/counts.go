package ui

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// The metrics the graph's edges show (defined in internal/metrics).
const (
	metricPublished      = "herald_eventsource_events_published_total" // eventsource, event
	metricPublishErrors  = "herald_eventsource_publish_errors_total"   // eventsource, event
	metricReceived       = "herald_sensor_events_received_total"       // namespace, sensor
	metricFiltered       = "herald_sensor_events_filtered_total"       // namespace, sensor, dependency, reason
	metricTriggered      = "herald_sensor_triggers_succeeded_total"    // namespace, sensor, trigger
	metricTriggerFailed  = "herald_sensor_triggers_failed_total"       // namespace, sensor, trigger, terminal
	reasonFilterRejected = "filter"                                    // the filtered reason that is no failure
)

// counts holds the counter families of one scrape by name.
type counts map[string][]*dto.Metric

func gatherCounts(g prometheus.Gatherer) (counts, error) {
	c := counts{}
	if g == nil {
		return c, nil
	}
	families, err := g.Gather()
	if err != nil {
		return nil, fmt.Errorf("gathering metrics: %w", err)
	}
	for _, f := range families {
		c[f.GetName()] = f.GetMetric()
	}
	return c, nil
}

// sum adds up the counters of metric name whose labels have the given
// values; labels not named are summed over. except names label values that
// leave a sample out.
func (c counts) sum(name string, labels, except map[string]string) uint64 {
	var total float64
	for _, m := range c[name] {
		if matches(m, labels, except) {
			total += m.GetCounter().GetValue()
		}
	}
	return uint64(total)
}

func matches(m *dto.Metric, labels, except map[string]string) bool {
	seen := 0
	for _, lp := range m.GetLabel() {
		if v, ok := labels[lp.GetName()]; ok {
			if v != lp.GetValue() {
				return false
			}
			seen++
		}
		if v, ok := except[lp.GetName()]; ok && v == lp.GetValue() {
			return false
		}
	}
	return seen == len(labels)
}
