package validation

import (
	"errors"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource/filter"
)

// validateSourceFilter checks an event source's filter: its expression must
// compile with the expr language Argo Events evaluates it with (see
// internal/eventsource/filter) and give a boolean. An empty expression is an
// error: Argo fails to compile it and so drops every event.
func validateSourceFilter(r *report, path *field.Path, f *v1alpha1.EventSourceFilter) {
	p := path.Child("expression")
	if strings.TrimSpace(f.Expression) == "" {
		r.add(required(p, "expression is required: a boolean expression over the event data, e.g. body.action == 'opened'; "+
			"without one every event is dropped"))
		return
	}
	err := filter.Check(f.Expression)
	switch {
	case errors.Is(err, filter.ErrUnsupported):
		r.add(unsupported(p, "%v", err))
	case err != nil:
		r.add(invalid(p, f.Expression, "%v", err))
	}
}
