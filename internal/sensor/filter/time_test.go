package filter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

func timeMatch(t *testing.T, spec v1alpha1.TimeFilter, when, now time.Time) (Result, error) {
	t.Helper()
	f, err := Compile(&v1alpha1.EventDependency{Filters: &v1alpha1.EventDependencyFilter{Time: &spec}}, Options{})
	require.NoError(t, err)
	return f.Match(&event.Event{ID: "1", Source: "s", Type: "t", Time: when}, now)
}

// Argo's TestFilterTime: six event times across a day against [08:09:10,
// 16:17:18) and the reverse window.
func TestMatchTimeWindow(t *testing.T) {
	day := func(h, m, s int) time.Time { return time.Date(2024, 3, 9, h, m, s, 0, time.UTC) }
	times := []time.Time{day(0, 0, 0), day(4, 5, 6), day(8, 9, 10), day(12, 13, 14), day(16, 17, 18), day(20, 21, 22)}
	cases := []struct {
		name string
		spec v1alpha1.TimeFilter
		want []bool
	}{
		{"start before stop", v1alpha1.TimeFilter{Start: "08:09:10", Stop: "16:17:18"}, []bool{false, false, true, true, false, false}},
		{"stop before start wraps past midnight", v1alpha1.TimeFilter{Start: "16:17:18", Stop: "08:09:10"}, []bool{true, true, false, false, true, true}},
		{"equal start and stop passes everything (Argo: not before, so wrap)", v1alpha1.TimeFilter{Start: "12:00:00", Stop: "12:00:00"}, []bool{true, true, true, true, true, true}},
		{"single-digit hour and fractional seconds parse", v1alpha1.TimeFilter{Start: "8:09:10.5", Stop: "16:17:18"}, []bool{false, false, false, true, false, false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for i, when := range times {
				res, err := timeMatch(t, tc.spec, when, time.Time{})
				require.NoError(t, err)
				require.Equal(t, tc.want[i], res.Pass, "event at %s", when.Format(time.TimeOnly))
			}
		})
	}
}

// Argo's TestFilterTimeWithTimezone, plus DST and the reason.
func TestMatchTimeZone(t *testing.T) {
	utc := func(mo time.Month, d, h int) time.Time { return time.Date(2024, mo, d, h, 0, 0, 0, time.UTC) }
	nine2five := func(tz string) v1alpha1.TimeFilter {
		return v1alpha1.TimeFilter{Start: "09:00:00", Stop: "17:00:00", Timezone: tz}
	}
	cases := []struct {
		name string
		spec v1alpha1.TimeFilter
		when time.Time
		pass bool
	}{
		{"UTC by default", nine2five(""), utc(7, 15, 10), true},
		{"New York EDT inside", nine2five("America/New_York"), utc(7, 15, 14), true},
		{"New York EDT too early", nine2five("America/New_York"), utc(7, 15, 12), false},
		{"New York EDT too late", nine2five("America/New_York"), utc(7, 15, 22), false},
		{"London BST", v1alpha1.TimeFilter{Start: "10:00:00", Stop: "18:00:00", Timezone: "Europe/London"}, utc(7, 15, 10), true},
		{"Tokyo", nine2five("Asia/Tokyo"), utc(7, 15, 1), true},
		{"overnight window in New York, event on the previous local day", v1alpha1.TimeFilter{Start: "22:00:00", Stop: "06:00:00", Timezone: "America/New_York"}, utc(7, 15, 2), true},
		{"New York EST in winter", nine2five("America/New_York"), utc(1, 15, 15), true},
		{"event time in another zone is converted", nine2five("UTC"), time.Date(2024, 7, 15, 12, 0, 0, 0, time.FixedZone("X", 5*3600)), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := timeMatch(t, tc.spec, tc.when, time.Time{})
			require.NoError(t, err)
			require.Equal(t, tc.pass, res.Pass, res.String())
		})
	}

	t.Run("reason", func(t *testing.T) {
		res, err := timeMatch(t, nine2five("America/New_York"), utc(7, 15, 12), time.Time{})
		require.NoError(t, err)
		require.Equal(t, []Reason{{Filter: "time", Seen: "08:00:00 EDT", Want: "time of day in [09:00:00, 17:00:00) America/New_York"}}, res.Reasons)
	})
	t.Run("event without a time uses now", func(t *testing.T) {
		res, err := timeMatch(t, nine2five(""), time.Time{}, utc(7, 15, 10))
		require.NoError(t, err)
		require.True(t, res.Pass)
	})
}

func TestMatchTimeErrors(t *testing.T) {
	cases := []struct {
		name string
		spec v1alpha1.TimeFilter
		err  string
	}{
		{"invalid timezone", v1alpha1.TimeFilter{Start: "09:00:00", Stop: "17:00:00", Timezone: "Invalid/Timezone"}, "invalid timezone 'Invalid/Timezone'"},
		{"seconds with one digit", v1alpha1.TimeFilter{Start: "09:09:0", Stop: "19:19:19"}, `start: parsing time "09:09:0"`},
		{"empty stop", v1alpha1.TimeFilter{Start: "09:00:00"}, `stop: parsing time ""`},
		{"hour out of range", v1alpha1.TimeFilter{Start: "24:00:00", Stop: "17:00:00"}, "hour out of range"},
		{"trailing text", v1alpha1.TimeFilter{Start: "09:00:00Z", Stop: "17:00:00"}, "extra text"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := timeMatch(t, tc.spec, time.Date(2024, 7, 15, 10, 0, 0, 0, time.UTC), time.Time{})
			require.ErrorIs(t, err, ErrInvalidFilter)
			require.ErrorContains(t, err, tc.err)
			require.False(t, res.Pass)
		})
	}
}
