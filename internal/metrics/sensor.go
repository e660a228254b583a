package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/herald-dev/herald/internal/sensor"
)

// Sensors counts what Sensors do; For gives one Sensor's view.
type Sensors struct {
	received, filtered, succeeded, failed, deadLettered *prometheus.CounterVec
	transformed, retried                                *prometheus.CounterVec
	triggerDuration, latency                            *prometheus.HistogramVec
}

// latencyBuckets span from a millisecond to a minute: a trigger call or an
// event's way through the Sensor, retries included.
var latencyBuckets = prometheus.ExponentialBucketsRange(0.001, 60, 14)

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
	s.transformed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "herald_sensor_events_transformed_total",
		Help: "Events a dependency's transform (jq or Lua) rewrote.",
	}, []string{"namespace", "sensor", "dependency"})
	s.retried = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "herald_sensor_trigger_retries_total",
		Help: "Extra attempts trigger firings took under their retryStrategy.",
	}, []string{"namespace", "sensor", "trigger"})
	s.triggerDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "herald_sensor_trigger_duration_seconds",
		Help:    "Time one trigger firing took, retries included (Argo: argo_events_action_duration_milliseconds).",
		Buckets: latencyBuckets,
	}, []string{"namespace", "sensor", "trigger"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "herald_sensor_event_latency_seconds",
		Help:    "Time from when the event source saw an event to when the Sensor was done with it (filters, transform, triggers).",
		Buckets: latencyBuckets,
	}, []string{"namespace", "sensor"})
	reg.MustRegister(s.received, s.filtered, s.succeeded, s.failed, s.deadLettered,
		s.transformed, s.retried, s.triggerDuration, s.latency)
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

func (m sensorMetrics) EventTransformed(dependency string) {
	m.s.transformed.WithLabelValues(m.ns, m.name, dependency).Inc()
}

func (m sensorMetrics) TriggerRetried(trigger string, n int) {
	m.s.retried.WithLabelValues(m.ns, m.name, trigger).Add(float64(n))
}

func (m sensorMetrics) TriggerDuration(trigger string, d time.Duration) {
	m.s.triggerDuration.WithLabelValues(m.ns, m.name, trigger).Observe(d.Seconds())
}

func (m sensorMetrics) EventHandled(latency time.Duration) {
	m.s.latency.WithLabelValues(m.ns, m.name).Observe(latency.Seconds())
}
