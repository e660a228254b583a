// Package connect paces the connection attempts of event sources that reach
// a broker (amqp, kafka, mqtt, nats): Argo's connectionBackoff, with Argo's
// defaults.
package connect

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// Argo's connectionBackoff defaults: without one a source tries 5 times,
// a second apart plus up to a second of jitter; a field left out of a
// connectionBackoff takes its default.
const (
	defaultSteps    = 5
	defaultDuration = time.Second
	defaultFactor   = 1.0
	defaultJitter   = 1.0
)

// Backoff is a resolved connectionBackoff.
type Backoff struct {
	// Steps is the number of attempts, at least 1.
	Steps int
	// Duration is the wait after the first failed attempt.
	Duration time.Duration
	// Factor multiplies the wait after each failed attempt (0 keeps it).
	Factor float64
	// Jitter adds up to Jitter*wait at random to each wait.
	Jitter float64
}

// ResolveBackoff reads a connectionBackoff with Argo's defaults (nil: 5
// attempts, 1s, factor 1, jitter 1).
func ResolveBackoff(b *v1alpha1.Backoff) (Backoff, error) {
	out := Backoff{Steps: defaultSteps, Duration: defaultDuration, Factor: defaultFactor, Jitter: defaultJitter}
	if b == nil {
		return out, nil
	}
	if b.Steps > 0 {
		out.Steps = b.GetSteps()
	}
	var err error
	if out.Duration, out.Factor, out.Jitter, err = b.Timings(out.Duration, out.Factor, out.Jitter); err != nil {
		return Backoff{}, fmt.Errorf("reading connectionBackoff %w", err)
	}
	return out, nil
}

// maxWait caps one wait, however large the factor makes it.
const maxWait = time.Hour

// Wait returns the wait after failed attempt number try (from 0): Duration
// times Factor to the power try (a Factor of 0 keeps Duration), plus
// Jitter times that times random (from [0, 1)), capped at an hour.
func (b Backoff) Wait(try int, random float64) time.Duration {
	d := float64(b.Duration)
	if b.Factor > 0 {
		d *= math.Pow(b.Factor, float64(try))
	}
	d += d * b.Jitter * random
	return time.Duration(min(d, float64(maxWait)))
}

// Retry calls attempt until it succeeds, b.Steps attempts have failed, or
// ctx ends, waiting as b says between attempts. It returns nil on success,
// the last attempt's error (wrapped) when the attempts ran out, and ctx's
// error when ctx ended first. log (nil for none) receives a warning for
// each failed attempt that is retried; give it the keys that name the
// server.
func Retry(ctx context.Context, b Backoff, log *slog.Logger, attempt func(ctx context.Context) error) error {
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
		if log != nil {
			log.Warn("connection attempt failed; retrying", "error", err, "attempt", try+1, "retry_in", wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return fmt.Errorf("giving up after %d attempts: %w", steps, err)
}
