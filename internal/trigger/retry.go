package trigger

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"golang.org/x/time/rate"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/backoff"
)

// Argo's backoff defaults: a trigger without retryStrategy is tried once; a
// retryStrategy leaving a field out gets these values.
const (
	defaultRetryDuration = time.Second
	defaultRetryFactor   = 1.0
	defaultRetryJitter   = 1.0
	defaultRetrySteps    = 5
)

// Backoff is a resolved retryStrategy.
type Backoff = backoff.Backoff

// ResolveBackoff turns a trigger's retryStrategy into a Backoff with Argo's
// defaults: nil means one try and no retry; a field left out takes 5 steps,
// 1s, factor 1 and jitter 1 (so a wait lies between 1s and 2s).
func ResolveBackoff(b *v1alpha1.Backoff) (Backoff, error) {
	if b == nil {
		return Backoff{Steps: 1}, nil
	}
	out, err := backoff.Resolve(b, Backoff{
		Steps:    defaultRetrySteps,
		Duration: defaultRetryDuration,
		Factor:   defaultRetryFactor,
		Jitter:   defaultRetryJitter,
	})
	if err != nil {
		return Backoff{}, fmt.Errorf("reading retryStrategy %w", err)
	}
	return out, nil
}

// NewLimiter returns the token bucket of a trigger's rateLimit, or nil for
// none. As in Argo the unit defaults to Second; a requestsPerUnit of 0 or
// less means no limit (Argo panics on 0). The burst is 1: firings are spaced
// evenly, like Argo's leaky-bucket limiter.
func NewLimiter(rl *v1alpha1.RateLimit) *rate.Limiter {
	if rl == nil || rl.RequestsPerUnit <= 0 {
		return nil
	}
	unit := time.Second
	switch rl.Unit {
	case v1alpha1.RateLimitUnitMinute:
		unit = time.Minute
	case v1alpha1.RateLimitUnitHour:
		unit = time.Hour
	}
	return rate.NewLimiter(rate.Every(unit/time.Duration(rl.RequestsPerUnit)), 1)
}

// Firer runs one trigger with its retryStrategy and rateLimit. Build one per
// trigger of a Sensor and share it between firings: the rate limit is a
// token bucket held by the Firer. It is safe for concurrent use.
type Firer struct {
	name    string
	backoff Backoff
	limiter *rate.Limiter
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
	rand    func() float64
}

// FirerOption changes how a Firer waits; tests use it to make waits instant.
type FirerOption func(*Firer)

// WithClock makes the Firer read the time from now and wait with sleep,
// which must return early with ctx's error when ctx ends.
func WithClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) FirerOption {
	return func(f *Firer) {
		f.now = now
		f.sleep = sleep
	}
}

// WithRand sets the source of jitter, a function returning [0, 1).
func WithRand(r func() float64) FirerOption {
	return func(f *Firer) { f.rand = r }
}

// NewFirer reads spec's retryStrategy and rateLimit. An invalid duration,
// factor or jitter is an error.
func NewFirer(spec *v1alpha1.Trigger, opts ...FirerOption) (*Firer, error) {
	b, err := ResolveBackoff(spec.RetryStrategy)
	if err != nil {
		return nil, err
	}
	f := &Firer{
		backoff: b,
		limiter: NewLimiter(spec.RateLimit),
		now:     time.Now,
		sleep:   Sleep,
		rand:    rand.Float64,
	}
	if spec.Template != nil {
		f.name = spec.Template.Name
	}
	for _, o := range opts {
		o(f)
	}
	return f, nil
}

// Backoff returns the resolved retryStrategy.
func (f *Firer) Backoff() Backoff { return f.backoff }

// Fire executes t for req, waiting for the rate limit before each try and
// retrying transient errors with the backoff. A terminal error is returned
// at once; after the last try the last error is returned, still transient.
// Result.Attempts counts the tries made. When ctx ends while waiting, the
// last error (if any) is returned joined with ctx's error.
func (f *Firer) Fire(ctx context.Context, t Trigger, req *Request) (Result, error) {
	var lastErr error
	for attempt := 1; ; attempt++ {
		if err := f.take(ctx); err != nil {
			return Result{Attempts: attempt - 1}, f.stopped(lastErr, err)
		}
		res, err := t.Execute(ctx, req)
		res.Attempts = attempt
		if err == nil {
			return res, nil
		}
		if IsTerminal(err) {
			return res, fmt.Errorf("firing trigger %s: %w", f.name, err)
		}
		lastErr = err
		if attempt >= f.backoff.Steps {
			return res, fmt.Errorf("firing trigger %s: %d attempts failed: %w", f.name, attempt, err)
		}
		random := 0.0
		if f.backoff.Jitter > 0 {
			random = f.rand()
		}
		if err := f.sleep(ctx, f.backoff.Wait(attempt-1, random)); err != nil {
			return res, f.stopped(lastErr, err)
		}
	}
}

// stopped is the error returned when ctx ended while waiting.
func (f *Firer) stopped(lastErr, ctxErr error) error {
	if lastErr == nil {
		return fmt.Errorf("firing trigger %s: %w", f.name, ctxErr)
	}
	return fmt.Errorf("firing trigger %s: %w", f.name, errors.Join(lastErr, ctxErr))
}

// take waits for a token of the rate limit.
func (f *Firer) take(ctx context.Context) error {
	if f.limiter == nil {
		return ctx.Err()
	}
	now := f.now()
	r := f.limiter.ReserveN(now, 1)
	if !r.OK() {
		return errors.New("rate limit cannot be met")
	}
	if d := r.DelayFrom(now); d > 0 {
		if err := f.sleep(ctx, d); err != nil {
			r.CancelAt(f.now())
			return err
		}
	}
	return ctx.Err()
}

// Fire runs t once for req with spec's retryStrategy and rateLimit. It builds
// a new Firer each call, so the rate limit does not carry over between calls:
// the Sensor keeps one Firer per trigger instead.
func Fire(ctx context.Context, t Trigger, req *Request, spec *v1alpha1.Trigger) (Result, error) {
	f, err := NewFirer(spec)
	if err != nil {
		return Result{}, Terminal(fmt.Errorf("firing trigger: %w", err))
	}
	return f.Fire(ctx, t, req)
}

// Sleep waits d, or less when ctx ends first (then it returns ctx.Err()).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
