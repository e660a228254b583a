package calendar

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestSkipTo(t *testing.T) {
	last := time.Date(2024, 1, 1, 12, 2, 0, 0, time.UTC)
	tests := []struct {
		name string
		cfg  v1alpha1.CalendarEventSource
		from time.Time
		want time.Time
	}{
		{"interval, between grid points", v1alpha1.CalendarEventSource{Interval: "1m"}, last.Add(6*time.Minute + 30*time.Second), last.Add(6 * time.Minute)},
		{"interval, on a grid point", v1alpha1.CalendarEventSource{Interval: "1m"}, last.Add(6 * time.Minute), last.Add(5 * time.Minute)},
		{"schedule", v1alpha1.CalendarEventSource{Schedule: "* * * * *"}, last.Add(6*time.Minute + 30*time.Second), last.Add(6*time.Minute + 30*time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parse(&tt.cfg)
			require.NoError(t, err)
			got := p.skipTo(last, tt.from)
			require.Equal(t, tt.want, got)
			require.False(t, p.next(got).Before(tt.from), "no fire before from")
		})
	}
}

func TestExclusionSkipsManyDays(t *testing.T) {
	// Every day of 2024 excluded: the first fire is on 1 January 2025.
	var dates []string
	for d := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == 2024; d = d.AddDate(0, 0, 1) {
		dates = append(dates, d.Format(exclusionLayout))
	}
	p, err := parse(&v1alpha1.CalendarEventSource{Schedule: "0 0 * * *", ExclusionDates: []string{"EXDATE:" + strings.Join(dates, ",")}})
	require.NoError(t, err)
	got := p.next(time.Date(2023, 12, 31, 12, 0, 0, 0, time.UTC))
	require.Equal(t, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), got)
}
