package v1alpha1

import (
	"fmt"
	"time"
)

// Backoff describes how to wait and retry a failing operation.
type Backoff struct {
	// Duration is the first wait: nanoseconds as an integer, or a Go duration
	// string such as "1s" or "3m".
	// +optional
	Duration *Int64OrString `json:"duration,omitempty"`
	// Factor multiplies the wait after each try.
	// +optional
	Factor *Amount `json:"factor,omitempty"`
	// Jitter is the random fraction added to each wait.
	// +optional
	Jitter *Amount `json:"jitter,omitempty"`
	// Steps is the number of tries before giving up with an error.
	// +optional
	Steps int32 `json:"steps,omitempty"`
}

// GetSteps returns Steps as an int.
func (b Backoff) GetSteps() int {
	return int(b.Steps)
}

// Timings reads the first wait, the factor and the jitter, each the given
// default when b leaves it out. Errors name the field ("duration: ...").
func (b Backoff) Timings(duration time.Duration, factor, jitter float64) (time.Duration, float64, float64, error) {
	if d := b.Duration; d != nil {
		if d.Type == Int64OrStringInt64 {
			duration = time.Duration(d.Int64Val)
		} else {
			parsed, err := time.ParseDuration(d.StrVal)
			if err != nil {
				return 0, 0, 0, fmt.Errorf("duration: %w", err)
			}
			duration = parsed
		}
	}
	var err error
	if b.Factor != nil {
		if factor, err = b.Factor.Float64(); err != nil {
			return 0, 0, 0, fmt.Errorf("factor: %w", err)
		}
	}
	if b.Jitter != nil {
		if jitter, err = b.Jitter.Float64(); err != nil {
			return 0, 0, 0, fmt.Errorf("jitter: %w", err)
		}
	}
	return duration, factor, jitter, nil
}
