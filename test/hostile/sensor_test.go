package hostile

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/sensor/filter"
	"github.com/herald-dev/herald/internal/sensor/luascript"
	"github.com/herald-dev/herald/internal/sensor/transform"
)

var now = time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)

func newEvent(data string) *event.Event {
	return &event.Event{ID: "1", Source: "hooks", Type: "webhook", Subject: "push", Time: now, DataContentType: "application/json", Data: []byte(data)}
}

const goodData = `{"body": {"name": "svc", "n": 1}}`

// TestTransformHostile runs hostile jq programs and Lua scripts, and good
// programs on hostile data, through a dependency transform with a short
// time limit: each ends with its error in time, and the same compiled
// transform then still turns a good event into output.
func TestTransformHostile(t *testing.T) {
	doubled := `reduce range(30) as $i ([1]; [., .])`
	rows := []struct {
		name  string
		spec  v1alpha1.EventDependencyTransformer
		data  string
		errIs error
		err   string
	}{
		{"jq that never ends", jq(`def f: f; f`), goodData, transform.ErrTimeout, "time limit"},
		{"jq endless repeat", jq(`last(repeat(1))`), goodData, transform.ErrTimeout, "time limit"},
		{"jq a billion-element array", jq(`[range(1e9)]`), goodData, transform.ErrTimeout, "time limit"},
		{"jq a gigabyte string in one step", jq(`{a: ("x" * 1e9)}`), goodData, transform.ErrOutputTooLarge, "repeated string"},
		{"jq tojson of a value doubled 30 times", jq(`{a: (` + doubled + ` | tojson)}`), goodData, transform.ErrOutputTooLarge, "jq value larger than the limit"},
		{"jq == on a value doubled 30 times", jq(`{a: (` + doubled + ` | . == .)}`), goodData, transform.ErrOutputTooLarge, "jq value larger than the limit"},
		{"jq array index of half a billion", jq(`.a[500000000] = 1`), goodData, transform.ErrOutputTooLarge, "array index"},
		{"jq output past the size limit", jq(`{a: [range(200000) | "0123456789"]}`), goodData, transform.ErrOutputTooLarge, "more than"},
		{"jq that does not parse", jq(`.a[`), goodData, transform.ErrInvalidTransform, "jq"},
		{"Lua while true do end", lua(`while true do end`), goodData, transform.ErrTimeout, "time limit"},
		{"Lua string doubled in a loop", lua(`local s = "x"; while true do s = s .. s end`), goodData, luascript.ErrMemoryLimit, "memory limit"},
		{"Lua string.rep bomb", lua(`return {s = string.rep("x", 1e12)}`), goodData, nil, "result larger than"},
		{"Lua table.concat of a gigabyte", lua(`local t = {}; local s = string.rep("x", 1000000); for i = 1, 1000 do t[i] = s end; return {r = table.concat(t)}`), goodData, nil, "table.concat: result larger than"},
		{"Lua reads files", lua(`return {f = io.open("/etc/passwd")}`), goodData, nil, "attempt to index a non-table"},
		{"Lua runs commands", lua(`os.execute("true"); return event`), goodData, nil, "attempt to call a non-function"},
		{"Lua table that contains itself", lua(`local t = {}; t.t = t; return t`), goodData, nil, "contains itself"},
		{"data nested 100000 deep", jq(`.`), `{"a": ` + deepArrays + `}`, transform.ErrInvalidData, "not a JSON object"},
		{"data with invalid UTF-8", jq(`.`), `{"a": "` + badUTF8 + `"}`, nil, ""},
		{"data with NUL bytes", jq(`.`), `{"a": "` + nulBytes + `"}`, transform.ErrInvalidData, ""},
		{"data that is not JSON", lua(`return event`), "\x00\x01\x02", transform.ErrInvalidData, ""},
		{"data with a huge integer", jq(`.`), `{"a": 1` + strings.Repeat("0", 400) + `}`, transform.ErrInvalidData, "cannot unmarshal number"},
		{"data with escaped NUL characters", jq(`.`), `{"a": "a\u0000b"}`, nil, ""},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			// A short limit for the rows that must time out, a generous one
			// for the others (so that a loaded machine does not turn their
			// error into a timeout).
			timeout := rowTimeout
			if errors.Is(row.errIs, transform.ErrTimeout) {
				timeout = 200 * time.Millisecond
			}
			tr, err := transform.Compile(&row.spec, transform.Options{Timeout: timeout, MaxOutputBytes: 1 << 20})
			require.NoError(t, err)
			start := time.Now()
			out, err := tr.Apply(t.Context(), newEvent(row.data))
			require.Less(t, time.Since(start), rowTimeout)
			if row.errIs == nil && row.err == "" {
				require.NoError(t, err)
				require.NotNil(t, out)
			} else {
				require.Error(t, err)
				if row.errIs != nil {
					require.ErrorIs(t, err, row.errIs)
				}
				require.ErrorContains(t, err, row.err)
			}
			if errors.Is(row.errIs, transform.ErrInvalidTransform) {
				return // nothing compiled to go on with
			}
			// The next event goes through a working transform.
			good, err := transform.Compile(&v1alpha1.EventDependencyTransformer{JQ: `.ok = true`}, transform.Options{})
			require.NoError(t, err)
			out, err = good.Apply(t.Context(), newEvent(goodData))
			require.NoError(t, err)
			require.Contains(t, string(out.Data), `"ok":true`)
		})
	}
}

// TestFilterHostile matches hostile filters and data: each gives its
// result or error in time, and the same filter then passes a good event.
func TestFilterHostile(t *testing.T) {
	rows := []struct {
		name    string
		filters v1alpha1.EventDependencyFilter
		data    string
		err     string // "" means no error (the event is simply not passed)
	}{
		{"data nested 100000 deep", dataFilter("body.name", "svc"), `{"body": ` + deepArrays + `}`, "not valid JSON"},
		{"data 10 MB long", dataFilter("body.name", "svc"), `{"body": {"x": "` + tenMB + `"}}`, ""},
		{"data with invalid UTF-8", dataFilter("body.name", "svc"), `{"body": {"name": "` + badUTF8 + `"}}`, ""},
		{"data with NUL bytes", dataFilter("body.name", "svc"), `{"body": {"name": "` + nulBytes + `"}}`, "not valid JSON"},
		{"data with escaped NUL characters", dataFilter("body.name", "svc"), `{"body": {"name": "x\u0000"}}`, ""},
		{"data that is not JSON", dataFilter("body.name", "svc"), "\xff\x00", "not valid JSON"},
		{"a path of 100000 segments", dataFilter(strings.Repeat("a.", 100000)+"b", "svc"), goodData, ""},
		{"a regexp with nested repetition", dataFilter("body.name", "(a+)+$"), `{"body": {"name": "` + strings.Repeat("a", 100000) + `!"}}`, ""},
		{"a script that never ends", v1alpha1.EventDependencyFilter{Script: `while true do end`}, goodData, "context deadline exceeded"},
		{"a script that doubles a string", v1alpha1.EventDependencyFilter{Script: `local s = "x"; while true do s = s .. s end`}, goodData, "Lua script"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			flt, err := filter.Compile(&v1alpha1.EventDependency{Name: "d", Filters: &row.filters}, filter.Options{ScriptTimeout: 200 * time.Millisecond})
			require.NoError(t, err)
			start := time.Now()
			res, err := flt.Match(newEvent(row.data), now)
			require.Less(t, time.Since(start), rowTimeout)
			require.False(t, res.Pass)
			if row.err == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, row.err)
			}
			good, err := filter.Compile(&v1alpha1.EventDependency{Name: "d", Filters: &v1alpha1.EventDependencyFilter{Data: dataFilter("body.name", "svc").Data}}, filter.Options{})
			require.NoError(t, err)
			res, err = good.Match(newEvent(goodData), now)
			require.NoError(t, err)
			require.True(t, res.Pass)
		})
	}
}

func jq(src string) v1alpha1.EventDependencyTransformer {
	return v1alpha1.EventDependencyTransformer{JQ: src}
}

func lua(src string) v1alpha1.EventDependencyTransformer {
	return v1alpha1.EventDependencyTransformer{Script: src}
}

func dataFilter(path, value string) v1alpha1.EventDependencyFilter {
	return v1alpha1.EventDependencyFilter{Data: []v1alpha1.DataFilter{{Path: path, Type: v1alpha1.JSONTypeString, Value: []string{value}}}}
}
