package filter

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// A compiled Filter is shared by every delivery goroutine of a Sensor.
func TestMatchConcurrent(t *testing.T) {
	f, err := Compile(&v1alpha1.EventDependency{FiltersLogicalOperator: v1alpha1.AndLogicalOperator, Filters: &v1alpha1.EventDependencyFilter{
		Data:    []v1alpha1.DataFilter{{Path: "a", Type: v1alpha1.JSONTypeString, Value: []string{"^x"}, Template: "{{ .Input | lower }}"}},
		Exprs:   []v1alpha1.ExprFilter{{Expr: `n >= 0`, Fields: []v1alpha1.PayloadField{{Name: "n", Path: "n"}}}},
		Context: &v1alpha1.EventContext{Type: "webhook"},
		Time:    &v1alpha1.TimeFilter{Start: "00:00:00", Stop: "23:59:59", Timezone: "Europe/Paris"},
		Script:  `x = (x or 0) + 1; return x == 1 and event.n >= 0`,
	}}, Options{})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				pass := (g+i)%2 == 0
				data := `{"a": "Xyz", "n": 1}`
				if !pass {
					data = `{"a": "yz", "n": 1}`
				}
				res, err := f.Match(newEvent(data), eventTime)
				if err != nil || res.Pass != pass {
					t.Errorf("goroutine %d event %d: %v %v", g, i, res, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
