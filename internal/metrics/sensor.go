package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/herald-dev/herald/internal/sensor"
)

// Sensors counts what Sensors do; For gives one Sensor's view.
type Sensors struct {
	received, filtered, succeeded, failed, deadLettered *prometheus.CounterVec
}

// NewSensors registers the Sensor metrics with reg.
func NewSensors(reg prometheus.Registerer) *Sensors {
	s := &Sensors{
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_sensor_events_received_total",
			Help: "Events delivered to a Sensor, redeliveries included.",
		}, []string{"namespace", "sensor"}),
		filtered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_sensor_events_filtered_total",
			Help: "Events a dependency did not take, by reason (filter, filter_error, transform_error).",
		}, []string{"namespace", "sensor", "dependency", "reason"}),
		succeeded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_sensor_triggers_succeeded_total",
			Help: "Successful trigger firings (Argo: argo_events_action_triggered_total).",
		}, []string{"namespace", "sensor", "trigger"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_sensor_triggers_failed_total",
			Help: "Failed trigger firings; terminal=false ones are retried (Argo: argo_events_action_failed_total).",
		}, []string{"namespace", "sensor", "trigger", "terminal"}),
		deadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_sensor_events_dead_lettered_total",
			Help: "Events whose trigger failed for good and went to its dlqTrigger (or were dropped without one).",
		}, []string{"namespace", "sensor", "trigger"}),
	}
	reg.MustRegister(s.received, s.filtered, s.succeeded, s.failed, s.deadLettered)
	return s
}

// For returns the metrics of one Sensor.
func (s *Sensors) For(namespace, name string) sensor.Metrics {
	return sensorMetrics{s: s, ns: namespace, name: name}
}

type sensorMetrics struct {
	s        *Sensors
	ns, name string
}

func (m sensorMetrics) EventReceived() { m.s.received.WithLabelValues(m.ns, m.name).Inc() }

func (m sensorMetrics) EventFiltered(dependency, reason string) {
	m.s.filtered.WithLabelValues(m.ns, m.name, dependency, reason).Inc()
}

func (m sensorMetrics) TriggerSucceeded(trigger string) {
	m.s.succeeded.WithLabelValues(m.ns, m.name, trigger).Inc()
}

func (m sensorMetrics) TriggerFailed(trigger string, terminal bool) {
	t := "false"
	if terminal {
		t = "true"
	}
	m.s.failed.WithLabelValues(m.ns, m.name, trigger, t).Inc()
}

func (m sensorMetrics) DeadLettered(trigger string) {
	m.s.deadLettered.WithLabelValues(m.ns, m.name, trigger).Inc()
}
