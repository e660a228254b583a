package filter

import (
	"fmt"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// timeFilter is the compiled `time` filter: a daily window [start, stop) in
// a time zone, read on the calendar day of the event time in that zone.
type timeFilter struct {
	loc         *time.Location
	start, stop clock
	spec        v1alpha1.TimeFilter
	err         error
}

// clock is a time of day.
type clock struct{ h, m, s, ns int }

// clockLayout is the layout Argo parses start and stop with, after the date
// of the event.
const clockLayout = "2006-01-02 15:04:05"

func compileTime(spec *v1alpha1.TimeFilter, problems *[]error) *timeFilter {
	f := &timeFilter{loc: time.UTC, spec: *spec}
	fail := func(err error) *timeFilter {
		f.err = err
		*problems = append(*problems, evalErr("time", err))
		return f
	}
	if spec.Timezone != "" {
		loc, err := time.LoadLocation(spec.Timezone)
		if err != nil {
			return fail(invalid("invalid timezone '%s': %v", spec.Timezone, err))
		}
		f.loc = loc
	}
	var err error
	if f.start, err = parseClock(spec.Start); err != nil {
		return fail(invalid("start: %v", err))
	}
	if f.stop, err = parseClock(spec.Stop); err != nil {
		return fail(invalid("stop: %v", err))
	}
	return f
}

// parseClock reads hh:mm:ss exactly as Argo does (time.Parse after a date,
// so "9:05:00" and fractional seconds are accepted), on a fixed date; the
// date does not change what is accepted.
func parseClock(s string) (clock, error) {
	t, err := time.Parse(clockLayout, "2000-01-01 "+s)
	if err != nil {
		return clock{}, fmt.Errorf("parsing time %q as hh:mm:ss: %w", s, err)
	}
	return clock{t.Hour(), t.Minute(), t.Second(), t.Nanosecond()}, nil
}

func (c clock) on(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, c.h, c.m, c.s, c.ns, loc)
}

// eval checks the event time against the window.
func (f *timeFilter) eval(when time.Time) outcome {
	if f.err != nil {
		return errored(evalErr("time", f.err))
	}
	y, m, d := when.In(f.loc).Date()
	start, stop := f.start.on(y, m, d, f.loc), f.stop.on(y, m, d, f.loc)
	var ok bool
	if start.Before(stop) {
		ok = !when.Before(start) && when.Before(stop)
	} else {
		ok = !when.Before(start) || when.Before(stop)
	}
	if ok {
		return passed
	}
	zone := f.spec.Timezone
	if zone == "" {
		zone = "UTC"
	}
	return failed(Reason{
		Filter: "time",
		Seen:   when.In(f.loc).Format("15:04:05.999999999 MST"),
		Want:   fmt.Sprintf("time of day in [%s, %s) %s", f.spec.Start, f.spec.Stop, zone),
	})
}
