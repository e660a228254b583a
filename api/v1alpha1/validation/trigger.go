package validation

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/sensor/condition"
)

// validateTriggers checks the sensor's triggers and that their names are
// unique.
func validateTriggers(r *report, path *field.Path, triggers []v1alpha1.Trigger, deps *dependencySet, s Support) {
	if len(triggers) == 0 {
		r.add(required(path, "at least one trigger is required"))
		return
	}
	firstUse := map[string]int{}
	for i := range triggers {
		t := &triggers[i]
		validateTrigger(r, path.Index(i), t, deps, s)
		if t.Template == nil || t.Template.Name == "" {
			continue
		}
		name := t.Template.Name
		if j, seen := firstUse[name]; seen {
			r.add(duplicate(path.Index(i).Child("template", "name"), name,
				"trigger name %q is already used by %s", name, path.Index(j)))
			continue
		}
		firstUse[name] = i
	}
}

// validateTrigger checks one trigger, and its dlqTrigger recursively.
func validateTrigger(r *report, path *field.Path, t *v1alpha1.Trigger, deps *dependencySet, s Support) {
	// Trigger-level parameters rewrite the template at run time; checks that
	// depend on a value they replace are relaxed.
	rewritten := map[string]bool{}
	for j := range t.Parameters {
		validateParam(r, path.Child("parameters").Index(j), &t.Parameters[j], deps, false)
		rewritten[t.Parameters[j].Dest] = true
	}
	kind := ""
	if t.Template == nil {
		r.add(required(path.Child("template"), "template is required: the trigger's name and kind"))
	} else {
		kind = validateTemplate(r, path.Child("template"), t.Template, deps, s, rewritten)
	}
	if t.Policy != nil {
		validatePolicy(r, path.Child("policy"), t.Policy, kind)
	}
	if t.RetryStrategy != nil {
		validateBackoff(r, path.Child("retryStrategy"), t.RetryStrategy)
	}
	if t.RateLimit != nil {
		validateRateLimit(r, path.Child("rateLimit"), t.RateLimit)
	}
	if t.DlqTrigger != nil {
		dlq := path.Child("dlqTrigger")
		if !t.IsAtLeastOnce() {
			r.add(invalid(path.Child("atLeastOnce"), false, "atLeastOnce must not be false when dlqTrigger is set"))
		}
		if !t.DlqTrigger.IsAtLeastOnce() {
			r.add(invalid(dlq.Child("atLeastOnce"), false, "atLeastOnce must not be false within dlqTrigger"))
		}
		validateTrigger(r, dlq, t.DlqTrigger, deps, s)
	}
}

// validateTemplate checks a trigger template and returns its kind, or "" when
// it does not set exactly one.
func validateTemplate(r *report, path *field.Path, t *v1alpha1.TriggerTemplate, deps *dependencySet, s Support, rewritten map[string]bool) string {
	if t.Name == "" {
		r.add(required(path.Child("name"), "trigger name is required"))
	}
	if t.Conditions != "" {
		validateConditions(r, path.Child("conditions"), t.Conditions, deps)
	}
	for j, c := range t.ConditionsReset {
		validateConditionsReset(r, path.Child("conditionsReset").Index(j), c)
	}
	var found []string
	for _, k := range triggerKinds {
		set, params, payload := k.get(t)
		if !set {
			continue
		}
		found = append(found, k.name)
		kp := path.Child(k.name)
		if !s.Triggers[k.name] {
			r.add(unsupported(kp, "trigger kind %s", k.name))
			continue
		}
		switch k.name {
		case "k8s":
			validateK8sTrigger(r, kp, t.K8s, s, rewritten)
			validateK8sOwnerReconcile(r, kp, t.K8s, deps, rewritten)
		case "http":
			validateHTTPTrigger(r, kp, t.HTTP, rewritten)
			for j := range t.HTTP.DynamicHeaders {
				validateParam(r, kp.Child("dynamicHeaders").Index(j), &t.HTTP.DynamicHeaders[j], deps, false)
				validateHeaderName(r, kp.Child("dynamicHeaders").Index(j).Child("dest"), t.HTTP.DynamicHeaders[j].Dest)
			}
		case "kafka":
			validateKafkaTrigger(r, kp, t.Kafka, rewritten)
		case "nats":
			validateNATSTrigger(r, kp, t.NATS, rewritten)
		case "slack":
			validateSlackTrigger(r, kp, t.Slack, rewritten)
		case "argoWorkflow":
			validateArgoWorkflowTrigger(r, kp, t.ArgoWorkflow, s, rewritten)
		}
		for j := range params {
			validateParam(r, kp.Child("parameters").Index(j), &params[j], deps, false)
		}
		// An http (or kafka) payload parameter without dest is the whole
		// request body (record value).
		for j := range payload {
			validateParam(r, kp.Child("payload").Index(j), &payload[j], deps, k.name == "http" || k.name == "kafka")
		}
	}
	switch len(found) {
	case 0:
		want := sortedKeys(s.Triggers)
		if len(want) == 0 {
			want = triggerKindNames()
		}
		r.add(required(path, "no trigger kind set (want one of %s)", strings.Join(want, ", ")))
	case 1:
		return found[0]
	default:
		r.add(invalid(path, field.OmitValueType{}, "more than one trigger kind set: %s (want exactly one)", strings.Join(found, ", ")))
	}
	return ""
}

// validateConditions parses a conditions expression and checks that it names
// only dependencies of the sensor.
func validateConditions(r *report, path *field.Path, expr string, deps *dependencySet) {
	e, err := condition.Parse(expr)
	if err != nil {
		r.add(invalid(path, expr, "conditions do not parse: %v", err))
		return
	}
	for _, name := range e.Names() {
		if !deps.hasDependency(name) {
			r.add(notFound(path, name, "conditions refer to unknown dependency %q (have %s)", name, quoteList(deps.names)))
		}
	}
}

// validateConditionsReset checks a reset rule's cron schedule and time zone.
func validateConditionsReset(r *report, path *field.Path, c v1alpha1.ConditionsResetCriteria) {
	if c.ByTime == nil {
		r.add(required(path.Child("byTime"), "byTime is required: the cron schedule on which gathered events are cleared"))
		return
	}
	p := path.Child("byTime")
	if err := checkCron(c.ByTime.Cron); err != nil {
		r.add(invalid(p.Child("cron"), c.ByTime.Cron, "invalid cron schedule %q: %v (want five fields: minute hour day-of-month month day-of-week)", c.ByTime.Cron, err))
	}
	if err := checkTimezone(c.ByTime.Timezone); err != nil {
		r.add(invalid(p.Child("timezone"), c.ByTime.Timezone, "unknown time zone %q (want an IANA name such as Europe/Paris)", c.ByTime.Timezone))
	}
}

// kindsWithPolicy lists which trigger kinds read each policy, as Argo does.
var kindsWithPolicy = map[string][]string{
	"k8s":    {"argoWorkflow", "k8s"},
	"status": {"awsLambda", "http"},
}

// validatePolicy checks the policy that the trigger's kind reads and warns
// about one it ignores.
func validatePolicy(r *report, path *field.Path, p *v1alpha1.TriggerPolicy, kind string) {
	// A section the trigger does not read is only warned about: Argo checks
	// the section its trigger reads, and nothing else.
	if p.K8s != nil {
		kp := path.Child("k8s")
		switch {
		case kind != "" && !slices.Contains(kindsWithPolicy["k8s"], kind):
			r.warn(invalid(kp, field.OmitValueType{}, "policy.k8s is ignored: only k8s and argoWorkflow triggers read it"))
		default:
			if p.K8s.Labels == nil {
				r.add(required(kp.Child("labels"), "labels are required: the labels the created object must carry for the run to count as successful"))
			}
			if p.K8s.Backoff != nil {
				validateBackoff(r, kp.Child("backoff"), p.K8s.Backoff)
			}
		}
	}
	if p.Status != nil {
		sp := path.Child("status")
		switch {
		case kind != "" && !slices.Contains(kindsWithPolicy["status"], kind):
			r.warn(invalid(sp, field.OmitValueType{}, "policy.status is ignored: only http and awsLambda triggers read it"))
		case p.Status.Allow == nil:
			r.add(required(sp.Child("allow"), "allow is required: the response status codes that count as success"))
		default:
			for j, code := range p.Status.Allow {
				if code < 100 || code > 599 {
					r.warn(invalid(sp.Child("allow").Index(j), code, "%d is not an HTTP status code (want 100-599): no answer has it", code))
				}
			}
		}
	}
}
