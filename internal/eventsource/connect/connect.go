// Package connect paces the connection attempts of event sources that reach
// a broker (amqp, kafka, mqtt, nats): Argo's connectionBackoff, with Argo's
// defaults.
package connect

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/backoff"
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
type Backoff = backoff.Backoff

// ResolveBackoff reads a connectionBackoff with Argo's defaults (nil: 5
// attempts, 1s, factor 1, jitter 1).
func ResolveBackoff(b *v1alpha1.Backoff) (Backoff, error) {
	out, err := backoff.Resolve(b, Backoff{Steps: defaultSteps, Duration: defaultDuration, Factor: defaultFactor, Jitter: defaultJitter})
	if err != nil {
		return Backoff{}, fmt.Errorf("reading connectionBackoff %w", err)
	}
	return out, nil
}

// Retry calls attempt until it succeeds, b.Steps attempts have failed, or
// ctx ends, waiting as b says between attempts. It returns nil on success,
// the last attempt's error (wrapped) when the attempts ran out, and ctx's
// error when ctx ended first. log (nil for none) receives a warning for
// each failed attempt that is retried; give it the keys that name the
// server.
func Retry(ctx context.Context, b Backoff, log *slog.Logger, attempt func(ctx context.Context) error) error {
	err := backoff.Retry(ctx, b, attempt, func(try int, err error, wait time.Duration) {
		if log != nil {
			log.Warn("connection attempt failed; retrying", "error", err, "attempt", try+1, "retry_in", wait)
		}
	})
	if err == nil || ctx.Err() != nil {
		return err
	}
	return fmt.Errorf("giving up after %d attempts: %w", max(b.Steps, 1), err)
}
