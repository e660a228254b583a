package calendar

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// cronParser reads schedules as Argo's calendar source and Herald's
// validation do: five fields (minute hour day-of-month month day-of-week),
// with an optional CRON_TZ= or TZ= prefix; no descriptors such as @hourly.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// Exclusion dates are RFC 5545 EXDATE entries of UTC date-times.
const (
	exclusionPrefix = "EXDATE:"
	exclusionLayout = "20060102T150405Z"
)

// plan is a calendar configuration, parsed.
type plan struct {
	schedule   cron.Schedule
	interval   bool // schedule is an interval: fires align on the start
	loc        *time.Location
	excluded   []time.Time
	maxCatchup time.Duration // 0: no bound
}

// parse reads a calendar configuration; schedule wins over interval.
func parse(c *v1alpha1.CalendarEventSource) (*plan, error) {
	p := &plan{loc: time.UTC}
	switch {
	case c.Schedule != "":
		s, err := cronParser.Parse(c.Schedule)
		if err != nil {
			return nil, fmt.Errorf("parsing schedule %q: %w", c.Schedule, err)
		}
		p.schedule = s
	case c.Interval != "":
		d, err := time.ParseDuration(c.Interval)
		if err != nil {
			return nil, fmt.Errorf("parsing interval %q: %w", c.Interval, err)
		}
		if d <= 0 {
			return nil, fmt.Errorf("interval %q is not positive", c.Interval)
		}
		p.schedule, p.interval = every(d), true
	default:
		return nil, fmt.Errorf("neither schedule nor interval is set")
	}
	if c.Timezone != "" {
		loc, err := time.LoadLocation(c.Timezone)
		if err != nil {
			return nil, fmt.Errorf("loading time zone %q: %w", c.Timezone, err)
		}
		p.loc = loc
	}
	for _, entry := range c.ExclusionDates {
		rest, ok := strings.CutPrefix(entry, exclusionPrefix)
		if !ok {
			continue // Argo ignores entries without the prefix
		}
		for d := range strings.SplitSeq(rest, ",") {
			t, err := time.Parse(exclusionLayout, d)
			if err != nil {
				return nil, fmt.Errorf("parsing exclusion date %q: want the form 20060102T150405Z", d)
			}
			p.excluded = append(p.excluded, t)
		}
	}
	if c.Persistence != nil && c.Persistence.Catchup != nil && c.Persistence.Catchup.MaxDuration != "" {
		d, err := time.ParseDuration(c.Persistence.Catchup.MaxDuration)
		if err != nil {
			return nil, fmt.Errorf("parsing catchup maxDuration %q: %w", c.Persistence.Catchup.MaxDuration, err)
		}
		p.maxCatchup = d
	}
	return p, nil
}

// every fires at a fixed period.
type every time.Duration

func (e every) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }

// maxSkips bounds the fires skipped in a row for exclusion dates (a
// schedule firing every minute on a year of excluded days).
const maxSkips = 1 << 20

// next returns the first fire after t that is not on an excluded day, or
// the zero time when the schedule never fires again. As in Argo, an
// exclusion date excludes the whole day: its UTC year, month and day are
// compared with the fire's in the schedule's time zone.
func (p *plan) next(t time.Time) time.Time {
	for range maxSkips {
		n := p.schedule.Next(t)
		if n.IsZero() || !p.isExcluded(n) {
			return n
		}
		t = n
	}
	return time.Time{}
}

func (p *plan) isExcluded(t time.Time) bool {
	y, m, d := t.Date()
	for _, ex := range p.excluded {
		if ey, em, ed := ex.Date(); ey == y && em == m && ed == d {
			return true
		}
	}
	return false
}

// start is the time the schedule is computed from when there is nothing to
// catch up: now in the schedule's zone, on a whole second for intervals (as
// Argo's interval schedule aligns its fires).
func (p *plan) start(now time.Time) time.Time {
	now = now.In(p.loc)
	if p.interval {
		now = now.Truncate(time.Second)
	}
	return now
}

// skipTo moves a catch-up's starting point from last (the last fire) so
// that fires before from are dropped. An interval keeps its grid: the point moves by whole
// periods, so that the fires (and their ids) stay the ones of the grid.
func (p *plan) skipTo(last, from time.Time) time.Time {
	d, ok := p.schedule.(every)
	if !ok || !p.interval {
		return from
	}
	// The first fire kept is the first grid point at or after from; the
	// starting point is the one before it.
	period := time.Duration(d)
	n := from.Sub(last) / period
	if from.Sub(last)%period != 0 {
		n++
	}
	return last.Add((n - 1) * period)
}
