package transform

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// A compiled Transform is shared by every delivery goroutine of a Sensor.
func TestApplyConcurrent(t *testing.T) {
	for _, tc := range []struct {
		name string
		tr   *Transform
	}{
		{"jq", mustCompile(t, jq(`.n += 1`))},
		{"lua", mustCompile(t, luaScript(`seen = (seen or 0) + 1; event.n = event.n + seen; return event`))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					for i := range 50 {
						out, err := tc.tr.Apply(t.Context(), newEvent(fmt.Sprintf(`{"n": %d}`, g*1000+i)))
						if err != nil || string(out.Data) != fmt.Sprintf(`{"n":%d}`, g*1000+i+1) {
							t.Errorf("goroutine %d event %d: %v %v", g, i, out, err)
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

func mustCompile(t *testing.T, spec *v1alpha1.EventDependencyTransformer) *Transform {
	t.Helper()
	tr, err := Compile(spec, Options{Strict: true})
	require.NoError(t, err)
	return tr
}
