package metrics

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Names of the counters that readers of a Snapshot add up (the web UI's
// edges, the controller's status counts), with their labels.
const (
	NameEventsPublished   = "herald_eventsource_events_published_total" // namespace, eventsource, event
	NamePublishErrors     = "herald_eventsource_publish_errors_total"   // namespace, eventsource, event
	NameSourceRestarts    = "herald_eventsource_restarts_total"         // namespace, eventsource, event
	NameEventsReceived    = "herald_sensor_events_received_total"       // namespace, sensor
	NameEventsFiltered    = "herald_sensor_events_filtered_total"       // namespace, sensor, dependency, reason
	NameTriggersSucceeded = "herald_sensor_triggers_succeeded_total"    // namespace, sensor, trigger
	NameTriggersFailed    = "herald_sensor_triggers_failed_total"       // namespace, sensor, trigger, terminal
	NameDeadLettered      = "herald_sensor_events_dead_lettered_total"  // namespace, sensor, trigger
	// ReasonFilterRejected is the filtered reason that is no failure: the
	// filters said no (others are errors while filtering or transforming).
	ReasonFilterRejected = "filter"
)

// Snapshot is one gathering of a registry's samples, by metric name.
type Snapshot map[string][]*dto.Metric

// Gather takes a Snapshot of g (an empty one when g is nil).
func Gather(g prometheus.Gatherer) (Snapshot, error) {
	s := Snapshot{}
	if g == nil {
		return s, nil
	}
	families, err := g.Gather()
	if err != nil {
		return nil, fmt.Errorf("gathering metrics: %w", err)
	}
	for _, f := range families {
		s[f.GetName()] = f.GetMetric()
	}
	return s, nil
}

// Sum adds up the counters of metric name whose labels have the given
// values; labels not named are summed over. except names label values that
// leave a sample out.
func (s Snapshot) Sum(name string, labels, except map[string]string) uint64 {
	var total float64
	for _, m := range s[name] {
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
