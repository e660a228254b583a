// Package backoff is Argo's Backoff resolved: how many tries, and how long
// to wait between them. A trigger's retryStrategy, a k8s trigger's policy
// and an event source's connectionBackoff all use it, each with Argo's
// defaults for that place.
package backoff

import (
	"math"
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
