package filter

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// autoIngressEvent is the bus event of the auto-ingress scenario: its data
// is the resource EventSource's payload for the ADD of fortune-svc.
func autoIngressEvent(tb testing.TB) *event.Event {
	tb.Helper()
	data, err := os.ReadFile("testdata/auto-ingress-payload.json")
	require.NoError(tb, err)
	return &event.Event{
		ID: "1", Source: "ingress-es", Subject: "svc-events", Type: "resource",
		Time: eventTime, DataContentType: "application/json", Data: data,
	}
}

// BenchmarkMatch measures the filters a Sensor on the auto-ingress events
// would use. ingress-sn itself has no filters (its EventSource filters on
// the host annotation), so "host-annotation" is the data filter the
// scenario's README describes, moved to the Sensor; the others add the
// other kinds for comparison.
func BenchmarkMatch(b *testing.B) {
	host := v1alpha1.DataFilter{Path: "body.metadata.annotations.autodeploy-ingress-host", Type: v1alpha1.JSONTypeString, Value: []string{".+"}}
	cases := []struct {
		name    string
		filters *v1alpha1.EventDependencyFilter
		op      v1alpha1.LogicalOperator
	}{
		{"none", nil, ""},
		{"host-annotation", &v1alpha1.EventDependencyFilter{Data: []v1alpha1.DataFilter{host}}, ""},
		{"host-namespace-port", &v1alpha1.EventDependencyFilter{Data: []v1alpha1.DataFilter{
			host,
			{Path: "body.metadata.namespace", Type: v1alpha1.JSONTypeString, Value: []string{"^playground$"}},
			{Path: "body.spec.ports.0.port", Type: v1alpha1.JSONTypeNumber, Comparator: ">", Value: []string{"0"}},
		}}, ""},
		{"context", &v1alpha1.EventDependencyFilter{Context: &v1alpha1.EventContext{Type: "resource", Source: "ingress-es"}}, ""},
		{"expr", &v1alpha1.EventDependencyFilter{Exprs: []v1alpha1.ExprFilter{{
			Expr:   `type != "DELETE" && host =~ ".+"`,
			Fields: []v1alpha1.PayloadField{{Name: "type", Path: "type"}, {Name: "host", Path: "body.metadata.annotations.autodeploy-ingress-host"}},
		}}}, ""},
		{"time", &v1alpha1.EventDependencyFilter{Time: &v1alpha1.TimeFilter{Start: "09:00:00", Stop: "17:00:00", Timezone: "Europe/Paris"}}, ""},
		{"all-or", &v1alpha1.EventDependencyFilter{
			Data:    []v1alpha1.DataFilter{host},
			Context: &v1alpha1.EventContext{Type: "resource"},
			Time:    &v1alpha1.TimeFilter{Start: "09:00:00", Stop: "17:00:00"},
		}, v1alpha1.OrLogicalOperator},
		{"rejected-missing", &v1alpha1.EventDependencyFilter{Data: []v1alpha1.DataFilter{{Path: "body.metadata.annotations.other", Type: v1alpha1.JSONTypeString, Value: []string{".+"}}}}, ""},
		{"script", &v1alpha1.EventDependencyFilter{Script: `return event.body.metadata.annotations["autodeploy-ingress-host"] ~= nil`}, ""},
	}
	ev := autoIngressEvent(b)
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			f, err := Compile(&v1alpha1.EventDependency{Filters: tc.filters, FiltersLogicalOperator: tc.op}, Options{})
			require.NoError(b, err)
			now := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.Match(ev, now); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
