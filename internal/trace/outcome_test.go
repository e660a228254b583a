package trace

import (
	"math/rand/v2"
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

// TestIndexEntryMatchesTrace checks that the index, which keeps only the
// stages an event's steps reached, gives the outcome and Sensors the full
// trace gives, for random steps split over random records.
func TestIndexEntryMatchesTrace(t *testing.T) {
	stagesList := []string{
		StageReceived, StagePublished, StageDelivered, StageFiltered, StageTransformed,
		StageTriggered, StageFailed, StageRetried, StageDeadLettered,
	}
	sensors := []string{"", "a", "b", "c"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var e entry
		full := &Trace{}
		for range 1 + rng.IntN(4) {
			r := &record{ID: "ev"}
			for range rng.IntN(4) {
				st := Step{Stage: stagesList[rng.IntN(len(stagesList))], Sensor: sensors[rng.IntN(len(sensors))]}
				if rng.IntN(3) == 0 {
					st.Error = "boom"
				}
				r.Steps = append(r.Steps, st)
			}
			e.add(r)
			full.merge(r)
		}
		full.summarize()
		require.Equal(t, full.Outcome, e.Outcome, "%+v", full.Steps)
		require.Equal(t, len(full.Sensors), len(e.Sensors), "%+v", full.Steps)
		if len(full.Sensors) > 0 {
			require.Equal(t, full.Sensors, e.Sensors, "%+v", full.Steps)
		}
	}
}
