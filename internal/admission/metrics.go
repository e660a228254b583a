package admission

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/herald-dev/herald/internal/metrics"
)

// The results counted by herald_admission_reviews_total.
const (
	resultAllowed    = "allowed"
	resultWarned     = "warned"
	resultDenied     = "denied"
	resultBadRequest = "bad_request"
	resultError      = "error"
)

// newMetrics registers the admission metrics with reg; nil reg: none.
func newMetrics(reg prometheus.Registerer) *metrics.Admission {
	if reg == nil {
		return nil
	}
	return metrics.NewAdmission(reg)
}
