package eventsource

import (
	"context"
	"log/slog"
	"reflect"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource/filter"
)

// compileFilter compiles the filter.expression of one event's configuration
// (a kind's config, e.g. *v1alpha1.WebhookEventSource); nil when the kind
// has no such filter or the event sets none.
func compileFilter(config any) (*filter.Filter, error) {
	spec := filterOf(config)
	if spec == nil {
		return nil, nil
	}
	return filter.Compile(spec.Expression)
}

// filterOf returns the Filter field of a kind's configuration when it is an
// expression filter. Every Argo kind that has one names it Filter; kinds
// whose Filter is something else (resource, storageGrid) have none.
func filterOf(config any) *v1alpha1.EventSourceFilter {
	v := reflect.ValueOf(config)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	field := v.FieldByName("Filter")
	if !field.IsValid() {
		return nil
	}
	f, _ := field.Interface().(*v1alpha1.EventSourceFilter)
	return f
}

// withFilter returns an Emit that passes to next only the events whose data
// f matches; with a nil f it returns next. A dropped event is reported to
// the source as emitted (nil), as in Argo Events: a webhook still answers
// 200. An event the expression cannot be evaluated on (data that is not a
// JSON object, a missing path, a result that is not a boolean) is dropped
// with a warning.
func withFilter(f *filter.Filter, log *slog.Logger, next Emit) Emit {
	if f == nil {
		return next
	}
	return func(ctx context.Context, ev *event.Event) error {
		ok, err := f.Match(ev.Data)
		switch {
		case err != nil:
			log.Warn("event dropped: its filter expression could not be evaluated", "event_id", ev.ID, "error", err)
			return nil
		case !ok:
			log.Debug("event dropped by its filter expression", "event_id", ev.ID)
			return nil
		}
		return next(ctx, ev)
	}
}
