package filter

import (
	"strconv"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// contextFilter is the compiled `context` filter. As under Argo, only type,
// subject, source and datacontenttype are compared, each only when set; id,
// specversion and time are ignored.
type contextFilter struct {
	typ, subject, source, contentType string
}

func compileContext(spec *v1alpha1.EventContext) *contextFilter {
	return &contextFilter{typ: spec.Type, subject: spec.Subject, source: spec.Source, contentType: spec.DataContentType}
}

// eval compares the event's attributes; every mismatch is a reason.
func (f *contextFilter) eval(ev *event.Event) outcome {
	var reasons []Reason
	check := func(attr, want, got string) {
		if want != "" && want != got {
			reasons = append(reasons, Reason{Filter: "context", Path: attr, Seen: seen(got), Want: strconv.Quote(want)})
		}
	}
	check("type", f.typ, ev.Type)
	check("subject", f.subject, ev.Subject)
	check("source", f.source, ev.Source)
	check("datacontenttype", f.contentType, ev.DataContentType)
	if len(reasons) > 0 {
		return failed(reasons...)
	}
	return passed
}
