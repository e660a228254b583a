package backoff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestResolveKeepsTheDefaultsOfFieldsLeftOut(t *testing.T) {
	defaults := Backoff{Steps: 5, Duration: time.Second, Factor: 1, Jitter: 1}
	got, err := Resolve(nil, defaults)
	require.NoError(t, err)
	require.Equal(t, defaults, got)
	got, err = Resolve(&v1alpha1.Backoff{Steps: 2}, defaults)
	require.NoError(t, err)
	require.Equal(t, Backoff{Steps: 2, Duration: time.Second, Factor: 1, Jitter: 1}, got)
	_, err = Resolve(&v1alpha1.Backoff{Duration: &v1alpha1.Int64OrString{Type: v1alpha1.Int64OrStringString, StrVal: "soon"}}, defaults)
	require.ErrorContains(t, err, "duration")
}

func TestWait(t *testing.T) {
	b := Backoff{Steps: 3, Duration: 100 * time.Millisecond, Factor: 2, Jitter: 1}
	tests := []struct {
		name   string
		b      Backoff
		try    int
		random float64
		want   time.Duration
	}{
		{name: "first wait", b: b, try: 0, want: 100 * time.Millisecond},
		{name: "grows by the factor", b: b, try: 2, want: 400 * time.Millisecond},
		{name: "jitter adds up to the wait again", b: b, try: 2, random: 1, want: 800 * time.Millisecond},
		{name: "a factor below 1 shrinks it", b: Backoff{Duration: time.Second, Factor: 0.5}, try: 1, want: 500 * time.Millisecond},
		{name: "a factor of 0 keeps it", b: Backoff{Duration: time.Second}, try: 3, want: time.Second},
		{name: "capped", b: Backoff{Duration: time.Hour, Factor: 10}, try: 5, want: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.b.Wait(tt.try, tt.random))
		})
	}
}
