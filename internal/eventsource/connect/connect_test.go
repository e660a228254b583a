package connect

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestResolveBackoff(t *testing.T) {
	amount := func(s string) *v1alpha1.Amount {
		a := v1alpha1.NewAmount(s)
		return &a
	}
	tests := []struct {
		name string
		in   *v1alpha1.Backoff
		want Backoff
		err  string
	}{
		{name: "nil takes Argo's defaults", want: Backoff{Steps: 5, Duration: time.Second, Factor: 1, Jitter: 1}},
		{name: "fields left out take the defaults", in: &v1alpha1.Backoff{Steps: 2}, want: Backoff{Steps: 2, Duration: time.Second, Factor: 1, Jitter: 1}},
		{
			name: "everything set",
			in:   &v1alpha1.Backoff{Steps: 3, Duration: &v1alpha1.Int64OrString{Type: v1alpha1.Int64OrStringString, StrVal: "10s"}, Factor: amount("2"), Jitter: amount("0.2")},
			want: Backoff{Steps: 3, Duration: 10 * time.Second, Factor: 2, Jitter: 0.2},
		},
		{
			name: "nanoseconds",
			in:   &v1alpha1.Backoff{Duration: &v1alpha1.Int64OrString{Type: v1alpha1.Int64OrStringInt64, Int64Val: 1000}},
			want: Backoff{Steps: 5, Duration: time.Microsecond, Factor: 1, Jitter: 1},
		},
		{name: "bad duration", in: &v1alpha1.Backoff{Duration: &v1alpha1.Int64OrString{Type: v1alpha1.Int64OrStringString, StrVal: "soon"}}, err: "reading connectionBackoff duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResolveBackoff(tt.in)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestRetry(t *testing.T) {
	fast := Backoff{Steps: 3, Duration: time.Millisecond, Factor: 2}
	t.Run("succeeds after failures", func(t *testing.T) {
		calls := 0
		err := Retry(t.Context(), fast, nil, func(context.Context) error {
			calls++
			if calls < 3 {
				return errors.New("refused")
			}
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, 3, calls)
	})
	t.Run("gives up after the steps", func(t *testing.T) {
		calls := 0
		err := Retry(t.Context(), fast, nil, func(context.Context) error {
			calls++
			return errors.New("refused")
		})
		require.EqualError(t, err, "giving up after 3 attempts: refused")
		require.Equal(t, 3, calls)
	})
	t.Run("stops when the context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		err := Retry(ctx, Backoff{Steps: 100, Duration: time.Hour}, nil, func(context.Context) error {
			cancel()
			return errors.New("refused")
		})
		require.ErrorIs(t, err, context.Canceled)
	})
}
