package eventsource

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// filteredKind reads spec.Calendar like the calendar kind (so that each
// event's config carries its filter) and runs sources emitting data.
func filteredKind(data ...string) Kind {
	return Kind{
		Name:    "calendar",
		Configs: func(spec *v1alpha1.EventSourceSpec) map[string]any { return ConfigsOf(spec.Calendar) },
		New: func(Env, Spec) (Source, error) {
			s := &emitting{}
			for _, d := range data {
				s.emit = append(s.emit, &event.Event{ID: d, Data: []byte(d)})
			}
			return s, nil
		},
	}
}

// emitting emits its events once, then waits for the end.
type emitting struct {
	emit []*event.Event
}

func (s *emitting) Start(ctx context.Context, emit Emit) error {
	for _, ev := range s.emit {
		if err := emit(ctx, ev); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return nil
}

func TestRunAppliesTheFilter(t *testing.T) {
	last := `{"body":{"n":99}}`
	for _, tc := range []struct {
		name, expr string
		want       []string // ids published before last
	}{
		{"keeps matching events", "body.n > 1", []string{`{"body":{"n":2}}`, `{"body":{"n":3}}`}},
		{"drops the others", "body.n == 99", nil},
		{"drops events it cannot evaluate", "body.n > 2", []string{`{"body":{"n":3}}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind := filteredKind(`{"body":{"n":1}}`, `{"body":{"n":2}}`, `[1]`, `{"other":1}`, `{"body":{"n":3}}`, last)
			es := testEventSource("tick")
			es.Spec.Calendar["tick"] = v1alpha1.CalendarEventSource{Interval: "1s", Filter: &v1alpha1.EventSourceFilter{Expression: tc.expr}}
			p := newPublished()
			stop := runInBackground(t, NewRegistry(kind), es, p.publish)
			var got []string
			for _, ev := range p.wait(t, len(tc.want)+1) {
				got = append(got, ev.ID)
			}
			require.NoError(t, stop())
			require.Equal(t, append(tc.want, last), got)
		})
	}
}

func TestRunRejectsABadFilter(t *testing.T) {
	es := testEventSource("tick", "tock")
	es.Spec.Calendar["tick"] = v1alpha1.CalendarEventSource{Interval: "1s", Filter: &v1alpha1.EventSourceFilter{Expression: "body.n =="}}
	es.Spec.Calendar["tock"] = v1alpha1.CalendarEventSource{Interval: "1s", Filter: &v1alpha1.EventSourceFilter{}}
	err := Run(t.Context(), NewRegistry(filteredKind()), Env{}, es, newPublished().publish)
	require.EqualError(t, err, "running eventsource es: spec.calendar[tick].filter.expression: parsing expression: unexpected token EOF (1:9)\n"+
		"spec.calendar[tock].filter.expression: parsing expression: unexpected token EOF")
}

func TestFilterOf(t *testing.T) {
	f := &v1alpha1.EventSourceFilter{Expression: "true"}
	for _, tc := range []struct {
		name   string
		config any
		want   *v1alpha1.EventSourceFilter
	}{
		{"webhook", &v1alpha1.WebhookEventSource{Filter: f}, f},
		{"calendar", &v1alpha1.CalendarEventSource{Filter: f}, f},
		{"without filter", &v1alpha1.CalendarEventSource{}, nil},
		{"resource filters are not expressions", &v1alpha1.ResourceEventSource{Filter: &v1alpha1.ResourceFilter{Prefix: "x"}}, nil},
		{"nil pointer", (*v1alpha1.WebhookEventSource)(nil), nil},
		{"not a struct", "tick", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Same(t, tc.want, filterOf(tc.config))
		})
	}
}

func TestWithFilterReportsDroppedEventsAsEmitted(t *testing.T) {
	f, err := compileFilter(&v1alpha1.WebhookEventSource{Filter: &v1alpha1.EventSourceFilter{Expression: "body == 1"}})
	require.NoError(t, err)
	var passed []string
	emit := withFilter(f, slog.New(slog.DiscardHandler), func(_ context.Context, ev *event.Event) error {
		passed = append(passed, string(ev.Data))
		return nil
	})
	for _, d := range []string{`{"body":1}`, `{"body":2}`, `"text"`} {
		require.NoError(t, emit(t.Context(), &event.Event{Data: []byte(d)}))
	}
	require.Equal(t, []string{`{"body":1}`}, passed)
}
