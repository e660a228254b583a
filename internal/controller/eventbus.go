package controller

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/engine"
)

// exoticBuses keeps the one EventBus with jetstreamExotic the controller
// connects to (the first by namespace and name); with none, the controller
// runs its embedded JetStream.
func exoticBuses(buses []v1alpha1.EventBus, log *slog.Logger) []*v1alpha1.EventBus {
	var found []*v1alpha1.EventBus
	for i := range buses {
		if buses[i].Spec.JetStreamExotic != nil && validation.ValidateEventBus(&buses[i]).OK() {
			found = append(found, &buses[i])
		}
	}
	if len(found) == 0 {
		return nil
	}
	if len(found) > 1 {
		log.Warn("several EventBuses name an external JetStream; using the first",
			"namespace", found[0].Namespace, "eventbus", found[0].Name)
	}
	return found[:1]
}

// describeBus says in words which bus the runtime uses.
func describeBus(cfg engine.Config) string {
	switch {
	case len(cfg.BusURLs) > 0:
		return "external JetStream " + strings.Join(cfg.BusURLs, ",")
	case len(cfg.EventBuses) > 0:
		eb := cfg.EventBuses[0]
		return fmt.Sprintf("external JetStream %s (EventBus %s/%s)", eb.Spec.JetStreamExotic.URL, eb.Namespace, eb.Name)
	default:
		return "JetStream embedded in the herald controller"
	}
}

// eventBusReconciler writes each EventBus's status: every valid EventBus is
// served by the controller's one bus; one that names another external
// server than the one connected to at start needs a restart.
type eventBusReconciler struct {
	client    client.Client
	bus       string
	connected []*v1alpha1.EventBus
	shard     shard
}

func (r *eventBusReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var eb v1alpha1.EventBus
	if err := r.client.Get(ctx, req.NamespacedName, &eb); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !r.shard.owns(v1alpha1.KindEventBus, eb.Namespace, eb.Name) {
		return ctrl.Result{}, nil // another replica reports on it
	}
	before := eb.Status.DeepCopy()
	st := &eb.Status.Status
	res := validation.ValidateEventBus(&eb)
	switch {
	case !res.OK():
		st.MarkFalse(v1alpha1.EventBusConditionConfigured, invalidReason(res.Errors), lintMessage(res.Errors))
		st.MarkFalse(v1alpha1.EventBusConditionDeployed, invalidReason(res.Errors), "not used: the spec has errors")
	case eb.Spec.JetStreamExotic != nil && !r.isConnected(&eb):
		st.MarkTrue(v1alpha1.EventBusConditionConfigured)
		st.MarkFalse(v1alpha1.EventBusConditionDeployed, "RestartNeeded",
			"the controller uses "+r.bus+"; restart it to connect to "+eb.Spec.JetStreamExotic.URL)
	default:
		st.MarkTrue(v1alpha1.EventBusConditionConfigured)
		st.MarkTrueWithReason(v1alpha1.EventBusConditionDeployed, ReasonInProcess, r.bus)
	}
	if equality.Semantic.DeepEqual(before, &eb.Status) {
		return ctrl.Result{}, nil
	}
	return writeStatus(ctx, r.client, &eb, v1alpha1.KindEventBus)
}

func (r *eventBusReconciler) isConnected(eb *v1alpha1.EventBus) bool {
	for _, c := range r.connected {
		if c.Namespace == eb.Namespace && c.Name == eb.Name && equality.Semantic.DeepEqual(c.Spec, eb.Spec) {
			return true
		}
	}
	return false
}
