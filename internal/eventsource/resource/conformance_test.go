package resource

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

func TestConformance(t *testing.T) {
	state := &eventsource.MemoryState{}
	started, report := sourcetest.NewStarted()
	sourcetest.Run(t, sourcetest.Harness{
		Kind:    Kind,
		Spec:    testSpec("svc-events", svcConfig("")),
		Retries: true,
		Started: started,
		New: func(t *testing.T) (eventsource.Source, sourcetest.Trigger) {
			// Each source watches a namespace of its own; its trigger creates
			// a Service, then updates it, so that all its events concern one
			// object and keep their order.
			ns := newNamespace(t)
			env := testEnv()
			env.State = state
			env.Started = report
			src, err := New(env, testSpec("svc-events", svcConfig(ns)))
			require.NoError(t, err)
			src.(*source).retryMin = time.Millisecond
			svcs := services{t: t, ns: ns}
			n := 0
			return src, func(t *testing.T) error {
				svcs.t = t
				if n == 0 {
					svcs.create("conformance", nil, nil)
				} else {
					svcs.annotate("conformance", "n", strconv.Itoa(n))
				}
				n++
				return nil
			}
		},
	})
}
