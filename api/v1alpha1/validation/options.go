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
	validateAmount(r, path.Child("factor"), b.Factor, "factor", "the duration is not multiplied")
	validateAmount(r, path.Child("jitter"), b.Jitter, "jitter", "it shortens each wait")
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
			r.warn(invalid(path, d.StrVal, "duration is negative: retries do not wait, as in Argo"))
		}
		return
	}
	if d.Int64Val < 0 {
		r.warn(invalid(path, d.Int64Val, "duration is negative: retries do not wait, as in Argo"))
	}
}

// validateAmount checks that an optional decimal (a backoff's factor or
// jitter) is a number, and warns when it is negative: Argo runs it, and so
// does Herald, with the effect whenNegative says.
func validateAmount(r *report, path *field.Path, a *v1alpha1.Amount, name, whenNegative string) {
	if a == nil {
		return
	}
	f, err := a.Float64()
	if err != nil {
		r.add(invalid(path, a.String(), "%s is not a number", name))
		return
	}
	if f < 0 {
		r.warn(invalid(path, a.String(), "%s is negative, which Argo runs too: %s", name, whenNegative))
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
