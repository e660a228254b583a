// Package backoff is Argo's Backoff resolved: how many tries, and how long
// to wait between them. A trigger's retryStrategy, a k8s trigger's policy
// and an event source's connectionBackoff all use it, each with Argo's
// defaults for that place.
package backoff

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// Backoff is a resolved Argo Backoff.
type Backoff struct {
	// Steps is the number of tries, at least 1.
	Steps int
	// Duration is the wait after the first failed try.
	Duration time.Duration
	// Factor multiplies the wait after each failed try (0 keeps it).
	Factor float64
	// Jitter adds up to Jitter*wait at random to each wait (0 for none).
	Jitter float64
}

// Resolve reads spec over defaults: a field spec leaves out keeps its
// default. The error (an invalid duration, factor or jitter) names the
// field; the caller says which Backoff it was.
func Resolve(spec *v1alpha1.Backoff, defaults Backoff) (Backoff, error) {
	out := defaults
	if spec == nil {
		return out, nil
	}
	if spec.Steps > 0 {
		out.Steps = spec.GetSteps()
	}
	var err error
	if out.Duration, out.Factor, out.Jitter, err = spec.Timings(out.Duration, out.Factor, out.Jitter); err != nil {
		return Backoff{}, err
	}
	return out, nil
}

// MaxWait caps one wait, however large the factor makes it.
const MaxWait = time.Hour

// Wait returns the wait after failed try number try (from 0): Duration
// times Factor to the power try (a Factor of 0 keeps Duration), plus Jitter
// times that times random (from [0, 1)), capped at MaxWait.
func (b Backoff) Wait(try int, random float64) time.Duration {
	d := float64(b.Duration)
	if b.Factor > 0 {
		d *= math.Pow(b.Factor, float64(try))
	}
	d += d * b.Jitter * random
	return time.Duration(min(d, float64(MaxWait)))
}

// Retry calls attempt until it returns nil, b.Steps attempts (at least one)
// have failed, or ctx ends, waiting Wait between attempts. It returns nil
// on success, ctx's error when ctx ended first, and otherwise the last
// attempt's error. retrying (nil for none) hears of each failed attempt
// that will be tried again (try counts from 0) and of the wait before it.
func Retry(ctx context.Context, b Backoff, attempt func(context.Context) error, retrying func(try int, err error, wait time.Duration)) error {
	steps := max(b.Steps, 1)
	var err error
	for try := range steps {
		if err = attempt(ctx); err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if try == steps-1 {
			break
		}
		wait := b.Wait(try, rand.Float64())
		if retrying != nil {
			retrying(try, err, wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return err
}
