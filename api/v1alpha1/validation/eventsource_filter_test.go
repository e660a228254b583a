package validation

import (
	"testing"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestValidateSourceFilter(t *testing.T) {
	webhookFilter := func(expr string) func(es *v1alpha1.EventSource) {
		return func(es *v1alpha1.EventSource) {
			h := es.Spec.Webhook["hook"]
			h.Filter = &v1alpha1.EventSourceFilter{Expression: expr}
			es.Spec.Webhook["hook"] = h
		}
	}
	calendarFilter := func(expr string) func(es *v1alpha1.EventSource) {
		return func(es *v1alpha1.EventSource) {
			c := es.Spec.Calendar["tick"]
			c.Filter = &v1alpha1.EventSourceFilter{Expression: expr}
			es.Spec.Calendar["tick"] = c
		}
	}
	runEventSourceCases(t, []eventSourceCase{
		{name: "argo's example", mutate: webhookFilter("(body.id == 4) && (body.name != 'Joe')")},
		{name: "expr keywords and functions", mutate: webhookFilter("body.a and len(body.list) > 0 and sprig.upper(body.name) startsWith 'J'")},
		{name: "calendar", mutate: calendarFilter("metadata.team == 'x'")},
		{
			name: "empty", mutate: webhookFilter(""),
			errs: []string{"spec.webhook[hook].filter.expression: expression is required: a boolean expression over the event data, e.g. body.action == 'opened'; without one every event is dropped"},
		},
		{
			name: "does not parse", mutate: webhookFilter("body.id =="),
			errs: []string{`spec.webhook[hook].filter.expression: parsing expression: unexpected token EOF (1:10)`},
		},
		{
			name: "not a boolean", mutate: calendarFilter("1 + 2"),
			errs: []string{`spec.calendar[tick].filter.expression: checking expression: expected bool, but got int`},
		},
		{
			name: "govaluate syntax", mutate: webhookFilter("body.name =~ '^J'"),
			errs: []string{`spec.webhook[hook].filter.expression: parsing expression: unexpected token Operator("=") (1:11) (filter expressions are written in the expr language: use matches, not govaluate's =~)`},
		},
		{
			name: "jsonpath", mutate: webhookFilter("jsonpath(toJson(body), '$.id') == 4"),
			errs: []string{"spec.webhook[hook].filter.expression: unsupported: function jsonpath (Argo Events' JSONPath lookup) is not supported by Herald; use a member path such as body.a.b"},
		},
	})
}
