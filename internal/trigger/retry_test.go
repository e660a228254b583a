package trigger_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

// fakeClock advances only when the code under test sleeps.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// scripted fails with errs in turn, then succeeds.
type scripted struct {
	mu    sync.Mutex
	errs  []error
	calls int
}

func (s *scripted) Execute(context.Context, *trigger.Request) (trigger.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		return trigger.Result{Ref: "x"}, err
	}
	return trigger.Result{Ref: "ok"}, nil
}

func ptr[T any](v T) *T { return &v }

func backoff(steps int32, dur string, factor, jitter string) *v1alpha1.Backoff {
	b := &v1alpha1.Backoff{Steps: steps}
	if dur != "" {
		b.Duration = ptr(v1alpha1.ParseInt64OrString(dur))
	}
	if factor != "" {
		b.Factor = ptr(v1alpha1.NewAmount(factor))
	}
	if jitter != "" {
		b.Jitter = ptr(v1alpha1.NewAmount(jitter))
	}
	return b
}

func spec(rs *v1alpha1.Backoff, rl *v1alpha1.RateLimit) *v1alpha1.Trigger {
	return &v1alpha1.Trigger{
		Template:      &v1alpha1.TriggerTemplate{Name: "t"},
		RetryStrategy: rs,
		RateLimit:     rl,
	}
}

var errFlaky = errors.New("flaky")

func TestResolveBackoff(t *testing.T) {
	tests := []struct {
		name string
		in   *v1alpha1.Backoff
		want trigger.Backoff
		err  string
	}{
		{name: "absent: one try", in: nil, want: trigger.Backoff{Steps: 1}},
		{
			name: "empty: argo defaults", in: &v1alpha1.Backoff{},
			want: trigger.Backoff{Steps: 5, Duration: time.Second, Factor: 1, Jitter: 1},
		},
		{
			name: "all set", in: backoff(3, "2s", "2", "0.5"),
			want: trigger.Backoff{Steps: 3, Duration: 2 * time.Second, Factor: 2, Jitter: 0.5},
		},
		{
			name: "nanoseconds", in: backoff(2, "1000", "", "0"),
			want: trigger.Backoff{Steps: 2, Duration: time.Microsecond, Factor: 1},
		},
		{
			name: "bad duration", in: backoff(2, "soon", "", ""),
			err: `reading retryStrategy duration: time: invalid duration "soon"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := trigger.ResolveBackoff(tt.in)
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestFireRetriesTransient(t *testing.T) {
	clk := newFakeClock()
	f, err := trigger.NewFirer(spec(backoff(5, "1s", "2", "0.5"), nil),
		trigger.WithClock(clk.Now, clk.Sleep), trigger.WithRand(func() float64 { return 0.5 }))
	require.NoError(t, err)
	tr := &scripted{errs: []error{errFlaky, errFlaky, errFlaky}}

	res, err := f.Fire(t.Context(), tr, &trigger.Request{})
	require.NoError(t, err)
	require.Equal(t, trigger.Result{Ref: "ok", Attempts: 4}, res)
	// wait*(1 + 0.5*0.5), doubling each time.
	require.Equal(t, []time.Duration{1250 * time.Millisecond, 2500 * time.Millisecond, 5 * time.Second}, clk.Sleeps())
}

func TestFireGivesUpAfterSteps(t *testing.T) {
	clk := newFakeClock()
	f, err := trigger.NewFirer(spec(backoff(3, "1s", "1", "0"), nil), trigger.WithClock(clk.Now, clk.Sleep))
	require.NoError(t, err)
	tr := &scripted{errs: []error{errFlaky, errFlaky, errFlaky, errFlaky}}

	res, err := f.Fire(t.Context(), tr, &trigger.Request{})
	require.EqualError(t, err, "firing trigger t: 3 attempts failed: flaky")
	require.ErrorIs(t, err, errFlaky)
	require.False(t, trigger.IsTerminal(err))
	require.Equal(t, 3, res.Attempts)
	require.Equal(t, []time.Duration{time.Second, time.Second}, clk.Sleeps())
}

func TestFireNoRetryStrategyTriesOnce(t *testing.T) {
	clk := newFakeClock()
	f, err := trigger.NewFirer(spec(nil, nil), trigger.WithClock(clk.Now, clk.Sleep))
	require.NoError(t, err)
	tr := &scripted{errs: []error{errFlaky}}
	res, err := f.Fire(t.Context(), tr, &trigger.Request{})
	require.ErrorIs(t, err, errFlaky)
	require.Equal(t, 1, res.Attempts)
	require.Empty(t, clk.Sleeps())
}

func TestFireTerminalAtOnce(t *testing.T) {
	clk := newFakeClock()
	f, err := trigger.NewFirer(spec(backoff(5, "1s", "", ""), nil), trigger.WithClock(clk.Now, clk.Sleep))
	require.NoError(t, err)
	tr := &scripted{errs: []error{trigger.Terminal(errors.New("bad request"))}}
	res, err := f.Fire(t.Context(), tr, &trigger.Request{})
	require.EqualError(t, err, "firing trigger t: bad request")
	require.True(t, trigger.IsTerminal(err))
	require.Equal(t, 1, res.Attempts)
	require.Equal(t, 1, tr.calls)
	require.Empty(t, clk.Sleeps())
}

func TestFireStopsWhenContextEnds(t *testing.T) {
	clk := newFakeClock()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sleepCancels := func(ctx context.Context, d time.Duration) error {
		cancel()
		return clk.Sleep(ctx, d)
	}
	f, err := trigger.NewFirer(spec(backoff(5, "1s", "", "0"), nil), trigger.WithClock(clk.Now, sleepCancels))
	require.NoError(t, err)
	tr := &scripted{errs: []error{errFlaky, errFlaky}}
	res, err := f.Fire(ctx, tr, &trigger.Request{})
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, errFlaky)
	require.Equal(t, 1, tr.calls)
	require.Equal(t, 1, res.Attempts)

	// Already ended: nothing runs.
	res, err = f.Fire(ctx, tr, &trigger.Request{})
	require.EqualError(t, err, "firing trigger t: context canceled")
	require.Equal(t, 1, tr.calls)
	require.Equal(t, 0, res.Attempts)
}

func TestFireRateLimit(t *testing.T) {
	tests := []struct {
		name string
		rl   *v1alpha1.RateLimit
		want []time.Duration
	}{
		{
			name: "per second", rl: &v1alpha1.RateLimit{RequestsPerUnit: 4},
			want: []time.Duration{250 * time.Millisecond, 250 * time.Millisecond},
		},
		{
			name: "per minute", rl: &v1alpha1.RateLimit{Unit: v1alpha1.RateLimitUnitMinute, RequestsPerUnit: 2},
			want: []time.Duration{30 * time.Second, 30 * time.Second},
		},
		{
			name: "per hour", rl: &v1alpha1.RateLimit{Unit: v1alpha1.RateLimitUnitHour, RequestsPerUnit: 1},
			want: []time.Duration{time.Hour, time.Hour},
		},
		{name: "zero means unlimited", rl: &v1alpha1.RateLimit{RequestsPerUnit: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			f, err := trigger.NewFirer(spec(nil, tt.rl), trigger.WithClock(clk.Now, clk.Sleep))
			require.NoError(t, err)
			tr := &scripted{}
			for range 3 {
				res, err := f.Fire(t.Context(), tr, &trigger.Request{})
				require.NoError(t, err)
				require.Equal(t, 1, res.Attempts)
			}
			require.Equal(t, tt.want, clk.Sleeps())
		})
	}
}

func TestFireRateLimitAppliesToEachAttempt(t *testing.T) {
	clk := newFakeClock()
	f, err := trigger.NewFirer(spec(backoff(2, "100ms", "", "0"), &v1alpha1.RateLimit{RequestsPerUnit: 1}),
		trigger.WithClock(clk.Now, clk.Sleep))
	require.NoError(t, err)
	res, err := f.Fire(t.Context(), &scripted{errs: []error{errFlaky}}, &trigger.Request{})
	require.NoError(t, err)
	require.Equal(t, 2, res.Attempts)
	// backoff 100ms, then the bucket still needs 900ms.
	require.Equal(t, []time.Duration{100 * time.Millisecond, 900 * time.Millisecond}, clk.Sleeps())
}

func TestFireFunction(t *testing.T) {
	res, err := trigger.Fire(t.Context(), &scripted{}, &trigger.Request{}, spec(nil, nil))
	require.NoError(t, err)
	require.Equal(t, 1, res.Attempts)

	_, err = trigger.Fire(t.Context(), &scripted{}, &trigger.Request{}, spec(backoff(1, "x", "", ""), nil))
	require.True(t, trigger.IsTerminal(err))
}
