package calendar

import "time"

// Clock is the calendar's source of time. Tests give a fake one so that
// schedules run without waiting.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Timer returns a channel that receives the time once d has passed,
	// and a func that cancels the timer (the source calls it when it stops
	// waiting early).
	Timer(d time.Duration) (<-chan time.Time, func())
}

// realClock is the system clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Timer(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}
