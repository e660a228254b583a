package validation

import (
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/sprig/v3"
	"github.com/itchyny/gojq"
	"github.com/robfig/cron/v3"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// The checks below each answer one question about a string taken from a
// manifest: does it compile, parse or load the way the runtime will use it.
// They return an error whose text completes a sentence such as
// `jq program does not compile: <err>`; the callers build the field error.

// checkJQ compiles a jq program the way a dependency transform runs it.
func checkJQ(program string) error {
	q, err := gojq.Parse(program)
	if err != nil {
		return err
	}
	_, err = gojq.Compile(q)
	return err
}

// checkLua parses and compiles a Lua script without running it.
func checkLua(script string) error {
	chunk, err := parse.Parse(strings.NewReader(script), "script")
	if err != nil {
		// gopher-lua pads its messages; keep single spaces.
		return fmt.Errorf("%s", strings.Join(strings.Fields(err.Error()), " "))
	}
	_, err = lua.Compile(chunk, "script")
	return err
}

// checkTemplate parses a Go text/template with the sprig functions available,
// as data filters and parameter templates are rendered.
func checkTemplate(text string) error {
	_, err := template.New("template").Funcs(sprig.TxtFuncMap()).Parse(text)
	return err
}

// checkRegex compiles a Go (RE2) regular expression.
func checkRegex(expr string) error {
	_, err := regexp.Compile(expr)
	return err
}

// cronParser accepts what Argo's calendar source and conditionsReset accept:
// the standard five fields (minute hour day-of-month month day-of-week), with
// an optional CRON_TZ= or TZ= prefix. Descriptors such as @hourly or
// @every 10s are rejected, as Argo rejects them.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// checkCron parses a cron schedule.
func checkCron(spec string) error {
	if spec == "" {
		return fmt.Errorf("schedule is empty")
	}
	_, err := cronParser.Parse(spec)
	return err
}

// checkDuration parses a Go duration such as "10s" or "1h30m".
func checkDuration(d string) error {
	_, err := time.ParseDuration(d)
	return err
}

// checkTimezone loads an IANA time zone such as "Europe/Paris". The empty
// string is UTC.
func checkTimezone(tz string) error {
	_, err := time.LoadLocation(tz)
	return err
}

// checkTimeOfDay parses an HH:MM:SS time of day as a time filter uses it. As
// in Argo, the hour may have one digit; minutes and seconds have two.
func checkTimeOfDay(s string) (time.Time, error) {
	t, err := time.Parse("15:04:05", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("want HH:MM:SS, e.g. 09:30:00")
	}
	return t, nil
}

// exclusionDatePrefix starts a calendar exclusion date (RFC 5545 EXDATE).
const exclusionDatePrefix = "EXDATE:"

// exclusionDateLayout is the UTC date-time form that exclusion dates use.
const exclusionDateLayout = "20060102T150405Z"

// checkExclusionDate parses one calendar exclusionDates entry: EXDATE:
// followed by one or more comma-separated UTC date-times such as
// 20240101T000000Z. An entry without the prefix is ignored by Argo; ok is
// false for it so that the caller can warn.
func checkExclusionDate(entry string) (ok bool, err error) {
	rest, found := strings.CutPrefix(entry, exclusionDatePrefix)
	if !found {
		return false, nil
	}
	for d := range strings.SplitSeq(rest, ",") {
		if _, err := time.Parse(exclusionDateLayout, d); err != nil {
			return true, fmt.Errorf("date %q is not of the form 20060102T150405Z", d)
		}
	}
	return true, nil
}
