package validation

import (
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// validateBackoff checks a retry strategy or policy backoff: the duration
// parses and nothing is negative.
func validateBackoff(r *report, path *field.Path, b *v1alpha1.Backoff) {
	if b.Duration != nil {
		validateBackoffDuration(r, path.Child("duration"), b.Duration)
	}
	validateAmount(r, path.Child("factor"), b.Factor, "factor")
	validateAmount(r, path.Child("jitter"), b.Jitter, "jitter")
	if b.Steps < 0 {
		r.warn(invalid(path.Child("steps"), b.Steps, "steps is negative: the default number of steps is used, as in Argo"))
	}
}

// validateBackoffDuration checks a duration given as nanoseconds or as a Go
// duration string.
func validateBackoffDuration(r *report, path *field.Path, d *v1alpha1.Int64OrString) {
	if d.Type == v1alpha1.Int64OrStringString {
		parsed, err := time.ParseDuration(d.StrVal)
		if err != nil {
			r.add(invalid(path, d.StrVal, "invalid duration %q (want a Go duration such as 10s or 1m30s)", d.StrVal))
			return
		}
		if parsed < 0 {
			r.add(invalid(path, d.StrVal, "duration must not be negative"))
		}
		return
	}
	if d.Int64Val < 0 {
		r.add(invalid(path, d.Int64Val, "duration must not be negative"))
	}
}

// validateAmount checks that an optional decimal is a number and not negative.
func validateAmount(r *report, path *field.Path, a *v1alpha1.Amount, name string) {
	if a == nil {
		return
	}
	f, err := a.Float64()
	if err != nil {
		r.add(invalid(path, a.String(), "%s is not a number", name))
		return
	}
	if f < 0 {
		r.add(invalid(path, a.String(), "%s must not be negative", name))
	}
}

// validateRateLimit checks a trigger's rate limit.
func validateRateLimit(r *report, path *field.Path, rl *v1alpha1.RateLimit) {
	switch rl.Unit {
	case "", v1alpha1.RateLimitUnitSecond, v1alpha1.RateLimitUnitMinute, v1alpha1.RateLimitUnitHour:
	default:
		r.warn(invalid(path.Child("unit"), string(rl.Unit), "unknown unit %q, taken as Second as Argo does (want Second, Minute, Hour)", rl.Unit))
	}
	switch {
	case rl.RequestsPerUnit < 0:
		r.warn(invalid(path.Child("requestsPerUnit"), rl.RequestsPerUnit, "requestsPerUnit is negative: no rate limit, as in Argo"))
	case rl.RequestsPerUnit == 0:
		r.warn(invalid(path.Child("requestsPerUnit"), rl.RequestsPerUnit, "requestsPerUnit is 0; set the number of runs allowed per unit (Argo Events cannot run a zero rate limit)"))
	}
}
