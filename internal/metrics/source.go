// Package metrics defines Herald's Prometheus metrics, one constructor per
// part of the pipeline. Names map onto Argo Events' argo_events_* metrics
// where an equivalent exists (see docs/metrics.md).
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/herald-dev/herald/internal/eventsource"
)

// Sources counts what event sources publish. It implements
// eventsource.Metrics.
type Sources struct {
	published *prometheus.CounterVec
	failed    *prometheus.CounterVec
	restarts  *prometheus.CounterVec
	rejected  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
}

var _ eventsource.Metrics = (*Sources)(nil)

// NewSources registers the event source metrics with reg.
func NewSources(reg prometheus.Registerer) *Sources {
	labels := []string{"eventsource", "event"}
	nsLabels := []string{"namespace", "eventsource", "event"}
	s := &Sources{
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_eventsource_events_published_total",
			Help: "Events an event source published and the bus acknowledged (Argo: argo_events_events_sent_total).",
		}, nsLabels),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_eventsource_publish_errors_total",
			Help: "Events an event source failed to publish (Argo: argo_events_events_sent_failed_total).",
		}, nsLabels),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_eventsource_restarts_total",
			Help: "Times an event source stopped with an error and was started again.",
		}, nsLabels),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_eventsource_inputs_rejected_total",
			Help: "Inputs an event source dropped for good (not JSON where jsonBody is set, refused by the bus), by reason.",
		}, append(nsLabels, "reason")),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_eventbus_publish_duration_seconds",
			Help:    "Time from an event source's publish to the bus's acknowledgement.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, labels),
	}
	reg.MustRegister(s.published, s.failed, s.restarts, s.rejected, s.latency)
	return s
}

// EventEmitted counts an acknowledged event.
func (s *Sources) EventEmitted(namespace, eventSource, event string) {
	s.published.WithLabelValues(namespace, eventSource, event).Inc()
}

// EventFailed counts an event whose publish failed.
func (s *Sources) EventFailed(namespace, eventSource, event string) {
	s.failed.WithLabelValues(namespace, eventSource, event).Inc()
}

// SourceRestarted counts a restart of a failed source.
func (s *Sources) SourceRestarted(namespace, eventSource, event string) {
	s.restarts.WithLabelValues(namespace, eventSource, event).Inc()
}

// InputRejected counts an input a source dropped for good.
func (s *Sources) InputRejected(namespace, eventSource, event, reason string) {
	s.rejected.WithLabelValues(namespace, eventSource, event, reason).Inc()
}

// ObservePublish records how long one publish took.
func (s *Sources) ObservePublish(eventSource, event string, d time.Duration) {
	s.latency.WithLabelValues(eventSource, event).Observe(d.Seconds())
}
