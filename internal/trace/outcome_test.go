package trace

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOutcome(t *testing.T) {
	st := func(stage, sensor string) Step { return Step{Stage: stage, Sensor: sensor} }
	cases := []struct {
		name    string
		steps   []Step
		want    string
		sensors []string
	}{
		{"nothing yet", nil, OutcomePending, nil},
		{"received", []Step{st(StageReceived, "")}, OutcomePending, nil},
		{"published", []Step{st(StageReceived, ""), st(StagePublished, "")}, OutcomePublished, nil},
		{"taken, waiting for its condition", []Step{st(StagePublished, ""), st(StageDelivered, "a")}, OutcomePublished, []string{"a"}},
		{"rejected by every Sensor", []Step{st(StageFiltered, "b"), st(StageFiltered, "a")}, OutcomeFiltered, []string{"a", "b"}},
		{"rejected by one, taken by another", []Step{st(StageFiltered, "a"), st(StageDelivered, "b")}, OutcomePublished, []string{"a", "b"}},
		{"transform failed", []Step{{Stage: StageTransformed, Sensor: "a", Error: "boom"}}, OutcomeFiltered, []string{"a"}},
		{"fired", []Step{st(StageDelivered, "a"), st(StageTriggered, "a")}, OutcomeTriggered, []string{"a"}},
		{"retrying", []Step{st(StageDelivered, "a"), st(StageRetried, "a")}, OutcomePublished, []string{"a"}},
		{"one fired, one failed", []Step{st(StageTriggered, "a"), st(StageFailed, "a")}, OutcomeFailed, []string{"a"}},
		{"dead-lettered", []Step{st(StageDeadLettered, "a")}, OutcomeFailed, []string{"a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, sensors := outcome(tc.steps)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.sensors, sensors)
		})
	}
}
