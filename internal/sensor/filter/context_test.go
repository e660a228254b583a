package filter

import (
	"testing"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

func contextCase(name string, spec v1alpha1.EventContext, ev *event.Event, pass bool, reasons ...Reason) matchCase {
	return matchCase{name: name, filters: &v1alpha1.EventDependencyFilter{Context: &spec}, event: ev, pass: pass, reasons: reasons}
}

// Argo's TestFilterContext compares only type, subject, source and
// datacontenttype, each when set.
func TestMatchContext(t *testing.T) {
	ev := newEvent(`{"k": "v"}`)
	runMatchCases(t, []matchCase{
		contextCase("empty context passes", v1alpha1.EventContext{}, ev, true),
		contextCase("all four equal", v1alpha1.EventContext{Type: "webhook", Subject: "example-1", Source: "webhook-gateway", DataContentType: "application/json"}, ev, true),
		contextCase("source only (argo example)", v1alpha1.EventContext{Source: "webhook-gateway"}, ev, true),
		contextCase("type differs", v1alpha1.EventContext{Type: "calendar"}, ev, false,
			Reason{Filter: "context", Path: "type", Seen: "webhook", Want: `"calendar"`}),
		contextCase("subject and content type differ", v1alpha1.EventContext{Subject: "example-2", DataContentType: "text/plain"}, ev, false,
			Reason{Filter: "context", Path: "subject", Seen: "example-1", Want: `"example-2"`},
			Reason{Filter: "context", Path: "datacontenttype", Seen: "application/json", Want: `"text/plain"`}),
		contextCase("comparison is exact", v1alpha1.EventContext{Source: "Webhook-Gateway"}, ev, false,
			Reason{Filter: "context", Path: "source", Seen: "webhook-gateway", Want: `"Webhook-Gateway"`}),
		contextCase("id and specversion are ignored", v1alpha1.EventContext{ID: "other", SpecVersion: "0.3"}, ev, true),
		contextCase("no data is fine", v1alpha1.EventContext{Type: "webhook"}, newEvent(""), true),
		contextCase("data that is not JSON is fine", v1alpha1.EventContext{Type: "webhook"}, newEvent("not json"), true),
	})
}
