package metrics

import "github.com/prometheus/client_golang/prometheus"

// Admission counts the admission webhook's decisions. A nil *Admission
// counts nothing.
type Admission struct {
	reviews *prometheus.CounterVec
}

// NewAdmission registers the admission webhook's metrics with reg.
func NewAdmission(reg prometheus.Registerer) *Admission {
	a := &Admission{reviews: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "herald_admission_reviews_total",
		Help: "Admission reviews answered, by kind (EventSource, Sensor, EventBus, other, unknown) and result (allowed, warned, denied, bad_request, error).",
	}, []string{"kind", "result"})}
	reg.MustRegister(a.reviews)
	return a
}

// Reviewed counts one review of kind answered with result.
func (a *Admission) Reviewed(kind, result string) {
	if a != nil {
		a.reviews.WithLabelValues(kind, result).Inc()
	}
}
