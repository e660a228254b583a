package filter

import (
	"testing"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// FuzzMatch compiles filters made from the fuzzer's strings and matches
// fuzzed event data against them: neither may panic.
func FuzzMatch(f *testing.F) {
	f.Add([]byte(`{"a": "b", "n": 1, "t": true, "o": {"x": [1, 2]}}`), "a", "b", "n > 0 && a == 'b'", uint8(0))
	f.Add([]byte(`{"body": {"metadata": {"annotations": {"autodeploy-ingress-host": "h"}}}}`), "body.metadata.annotations.autodeploy-ingress-host", ".+", "x =~ '.+'", uint8(7))
	f.Add([]byte(`[1, {"a": null}]`), "#", "2", "x in (1, 2)", uint8(33))
	f.Add([]byte("\xff\xfe"), "", "(", "((", uint8(255))
	f.Add([]byte(`{"k": "aGVsbG8="}`), "k", "hello", "x == 1", uint8(70))
	types := []v1alpha1.JSONType{v1alpha1.JSONTypeString, v1alpha1.JSONTypeNumber, v1alpha1.JSONTypeBool, "other"}
	comparators := []v1alpha1.Comparator{"", "=", "!=", ">", ">=", "<", "<=", "~"}
	templates := []string{"", "{{ .Input }}", "{{ b64dec .Input }}", "{{ .Input | upper | trunc 3 }}"}
	ops := []v1alpha1.LogicalOperator{"", "and", "or"}
	f.Fuzz(func(t *testing.T, data []byte, path, value, exprSrc string, sel uint8) {
		filters := &v1alpha1.EventDependencyFilter{
			Data: []v1alpha1.DataFilter{{
				Path:       path,
				Type:       types[sel%4],
				Value:      []string{value, value + "1"},
				Comparator: comparators[(sel/4)%8],
				Template:   templates[(sel/32)%4],
			}},
			DataLogicalOperator: ops[sel%3],
			Exprs:               []v1alpha1.ExprFilter{{Expr: exprSrc, Fields: []v1alpha1.PayloadField{{Name: "x", Path: path}}}},
			ExprLogicalOperator: ops[(sel/3)%3],
			Context:             &v1alpha1.EventContext{Type: value},
			Time:                &v1alpha1.TimeFilter{Start: value, Stop: "17:00:00"},
		}
		if sel%16 == 0 {
			filters.Script = `return event["` + "a" + `"] ~= nil`
		}
		flt, err := Compile(&v1alpha1.EventDependency{Filters: filters, FiltersLogicalOperator: ops[(sel/9)%3]}, Options{ScriptTimeout: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		ev := &event.Event{ID: "1", Source: "s", Type: "webhook", Time: eventTime, Data: data}
		res, err := flt.Match(ev, eventTime)
		if err != nil && res.Pass {
			t.Fatalf("passed with an error: %v", err)
		}
		_ = res.String()
	})
}
