package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/herald-dev/herald/internal/trigger"
)

// Reconciles counts what the k8s trigger's reconcile option does to the
// objects it keeps; For gives one Sensor's view.
type Reconciles struct {
	outcomes *prometheus.CounterVec
}

// NewReconciles registers the reconcile metrics with reg.
func NewReconciles(reg prometheus.Registerer) *Reconciles {
	r := &Reconciles{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_trigger_reconcile_total",
			Help: "Objects a trigger with reconcile: true wrote back or stopped keeping, by outcome (restored, recreated, released, failed).",
		}, []string{"namespace", "sensor", "trigger", "outcome"}),
	}
	reg.MustRegister(r.outcomes)
	return r
}

// For returns the reconcile metrics of one Sensor.
func (r *Reconciles) For(namespace, name string) trigger.BackgroundMetrics {
	return reconcileMetrics{r: r, ns: namespace, name: name}
}

type reconcileMetrics struct {
	r        *Reconciles
	ns, name string
}

func (m reconcileMetrics) Reconciled(trigger, outcome string) {
	m.r.outcomes.WithLabelValues(m.ns, m.name, trigger, outcome).Inc()
}
