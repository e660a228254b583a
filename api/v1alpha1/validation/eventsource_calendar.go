package validation

import (
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// validateCalendar checks a calendar event: a schedule or an interval, its
// time zone and exclusion dates.
func validateCalendar(r *report, path *field.Path, c *v1alpha1.CalendarEventSource) {
	switch {
	case c.Schedule == "" && c.Interval == "":
		r.add(required(path, "schedule or interval is required (e.g. schedule: \"*/5 * * * *\" or interval: 10s)"))
	case c.Schedule != "" && c.Interval != "":
		r.warn(invalid(path.Child("interval"), c.Interval, "interval is ignored because schedule is set"))
	}
	if c.Schedule != "" {
		if err := checkCron(c.Schedule); err != nil {
			r.add(invalid(path.Child("schedule"), c.Schedule,
				"invalid cron schedule %q: %v (want five fields: minute hour day-of-month month day-of-week)", c.Schedule, err))
		}
	}
	if c.Interval != "" && c.Schedule == "" { // with a schedule, never read (as in Argo)
		d, err := time.ParseDuration(c.Interval)
		switch {
		case err != nil:
			r.add(invalid(path.Child("interval"), c.Interval, "invalid interval %q (want a Go duration such as 10s or 1h30m)", c.Interval))
		case d <= 0:
			r.add(invalid(path.Child("interval"), c.Interval, "interval must be positive"))
		}
	}
	if err := checkTimezone(c.Timezone); err != nil {
		r.add(invalid(path.Child("timezone"), c.Timezone, "unknown time zone %q (want an IANA name such as Europe/Paris)", c.Timezone))
	}
	for i, entry := range c.ExclusionDates {
		p := path.Child("exclusionDates").Index(i)
		ok, err := checkExclusionDate(entry)
		switch {
		case err != nil:
			r.add(invalid(p, entry, "invalid exclusion date: %v", err))
		case !ok:
			r.warn(invalid(p, entry, "entry is ignored: exclusion dates start with EXDATE:, e.g. EXDATE:20240101T000000Z"))
		}
	}
	if c.Persistence != nil && c.Persistence.Catchup != nil && c.Persistence.Catchup.MaxDuration != "" {
		md := c.Persistence.Catchup.MaxDuration
		if err := checkDuration(md); err != nil {
			r.add(invalid(path.Child("persistence", "catchup", "maxDuration"), md, "invalid duration %q (want a Go duration such as 5m)", md))
		}
	}
	if c.Filter != nil {
		validateSourceFilter(r, path.Child("filter"), c.Filter)
	}
}
