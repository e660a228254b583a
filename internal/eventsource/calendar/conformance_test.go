package calendar

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

func TestConformance(t *testing.T) {
	for name, cfg := range map[string]*v1alpha1.CalendarEventSource{
		"interval": {Interval: "1m", Metadata: map[string]string{"k": "v"}},
		"schedule with catch-up": {
			Schedule: "*/5 * * * *", Timezone: "Asia/Tokyo",
			Persistence: &v1alpha1.EventPersistence{Catchup: &v1alpha1.CatchupConfiguration{Enabled: true}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock(mustTime(t, "2024-01-01T00:00:00Z"))
			env := testEnv(&eventsource.MemoryCheckpoints{})
			spec := testSpec(cfg)
			sourcetest.Run(t, sourcetest.Harness{
				Kind:    KindName,
				Spec:    spec,
				Retries: true,
				New: func(t *testing.T) (eventsource.Source, sourcetest.Trigger) {
					src, err := New(env, spec, WithClock(clock))
					require.NoError(t, err)
					return src, func(t *testing.T) error {
						clock.fireNext(t)
						return nil
					}
				},
			})
		})
	}
}
