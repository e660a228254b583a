package sensor

import "time"

// Metrics counts what a Sensor does. Implementations (Prometheus in the
// binary) must be safe for concurrent use; every method is called on the
// hot path and must not block.
type Metrics interface {
	// EventReceived counts a delivered event (redeliveries included).
	EventReceived()
	// EventFiltered counts an event a dependency did not take; reason is
	// "filter", "filter_error" or "transform_error".
	EventFiltered(dependency, reason string)
	// TriggerSucceeded counts a successful firing.
	TriggerSucceeded(trigger string)
	// TriggerFailed counts a failed firing; terminal is false when the
	// event is handed back to the bus for another try.
	TriggerFailed(trigger string, terminal bool)
	// DeadLettered counts a terminal failure handed to the trigger's
	// dlqTrigger (or dropped when it has none).
	DeadLettered(trigger string)
	// EventTransformed counts an event a dependency's transform rewrote.
	EventTransformed(dependency string)
	// TriggerRetried counts the extra attempts a firing took (its
	// retryStrategy), n > 0.
	TriggerRetried(trigger string, n int)
	// TriggerDuration observes how long one firing took, retries included.
	TriggerDuration(trigger string, d time.Duration)
	// EventHandled observes the time from when the source saw an event to
	// when the Sensor was done with it.
	EventHandled(latency time.Duration)
}

// Reasons passed to Metrics.EventFiltered.
const (
	ReasonFilter         = "filter"
	ReasonFilterError    = "filter_error"
	ReasonTransformError = "transform_error"
)

// nopMetrics counts nothing.
type nopMetrics struct{}

func (nopMetrics) EventReceived()                        {}
func (nopMetrics) EventFiltered(string, string)          {}
func (nopMetrics) TriggerSucceeded(string)               {}
func (nopMetrics) TriggerFailed(string, bool)            {}
func (nopMetrics) DeadLettered(string)                   {}
func (nopMetrics) EventTransformed(string)               {}
func (nopMetrics) TriggerRetried(string, int)            {}
func (nopMetrics) TriggerDuration(string, time.Duration) {}
func (nopMetrics) EventHandled(time.Duration)            {}
