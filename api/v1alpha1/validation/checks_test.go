package validation

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// checkCase is one input of a string check and the error it must give: ""
// for none, otherwise a substring of the error text.
type checkCase struct {
	in      string
	wantErr string
}

func runCheck(t *testing.T, check func(string) error, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			err := check(c.in)
			if c.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, c.wantErr)
		})
	}
}

func TestCheckJQ(t *testing.T) {
	runCheck(t, checkJQ, []checkCase{
		{`.operation = {"ADD": "create", "UPDATE": "update", "DELETE": "delete"}[.type]`, ""},
		{`.body.message |= ascii_upcase`, ""},
		{`.`, ""},
		{`.a |`, "unexpected EOF"},
		{`.a[`, "unexpected EOF"},
		{`undefined_fn(1)`, "function not defined: undefined_fn/1"},
		{`$x`, "variable not defined: $x"},
	})
}

func TestCheckLua(t *testing.T) {
	runCheck(t, checkLua, []checkCase{
		{`if event.a == "b" then return true else return false end`, ""},
		{`event.body.x = "y"; return event`, ""},
		{``, ""},
		{`if event.a == then return true end`, "syntax error"},
		{`return (`, "syntax error"},
		{`x = "unterminated`, "unterminated string"},
	})
}

func TestCheckTemplate(t *testing.T) {
	runCheck(t, checkTemplate, []checkCase{
		{`{{ .Input.body.name }}`, ""},
		{`{{ .Input | upper | trunc 5 }}`, ""},
		{`{{ b64dec .Input.body.payload }}`, ""},
		{`{{ if eq .Input "a" }}yes{{ end }}`, ""},
		{`plain text`, ""},
		{`{{ .Input `, "unclosed action"},
		{`{{ nosuchfunc .Input }}`, `function "nosuchfunc" not defined`},
		{`{{ if .Input }}`, "unexpected EOF"},
	})
}

func TestCheckRegex(t *testing.T) {
	runCheck(t, checkRegex, []checkCase{
		{`.+`, ""},
		{`^(push|pull_request)$`, ""},
		{``, ""},
		{`(abc`, "missing closing )"},
		{`a**`, "invalid nested repetition operator"},
		{`(?<=x)y`, "invalid named capture"},
	})
}

func TestCheckCron(t *testing.T) {
	runCheck(t, checkCron, []checkCase{
		{`*/5 * * * *`, ""},
		{`0 9 * * MON-FRI`, ""},
		{`30 2 1 JAN *`, ""},
		{`CRON_TZ=Europe/Paris 0 9 * * *`, ""},
		{``, "schedule is empty"},
		{`* * * *`, "expected exactly 5 fields, found 4"},
		{`0 * * * * *`, "expected exactly 5 fields, found 6"},
		{`61 * * * *`, "above maximum"},
		{`@hourly`, "parser does not accept descriptors"},
		{`@every 10s`, "parser does not accept descriptors"},
		{`CRON_TZ=Nowhere/City 0 9 * * *`, "provided bad location"},
	})
}

func TestCheckDuration(t *testing.T) {
	runCheck(t, checkDuration, []checkCase{
		{`10s`, ""},
		{`1h30m`, ""},
		{`-5m`, ""},
		{`0`, ""},
		{`10`, "missing unit"},
		{`10 s`, `unknown unit " s"`},
		{`1d`, "unknown unit"},
	})
}

func TestCheckTimezone(t *testing.T) {
	runCheck(t, checkTimezone, []checkCase{
		{``, ""},
		{`UTC`, ""},
		{`Europe/Paris`, ""},
		{`America/Los_Angeles`, ""},
		{`Mars/Olympus_Mons`, "unknown time zone Mars/Olympus_Mons"},
	})
}

func TestCheckTimeOfDay(t *testing.T) {
	runCheck(t, func(s string) error { _, err := checkTimeOfDay(s); return err }, []checkCase{
		{`09:30:00`, ""},
		{`9:30:00`, ""},
		{`23:59:59`, ""},
		{`00:00:00`, ""},
		{`24:00:00`, "want HH:MM:SS"},
		{`09:30`, "want HH:MM:SS"},
		{`9:3:0`, "want HH:MM:SS"},
		{`09:30:00Z`, "want HH:MM:SS"},
		{``, "want HH:MM:SS"},
	})
}

func TestCheckExclusionDate(t *testing.T) {
	tests := []struct {
		in      string
		ok      bool
		wantErr string
	}{
		{"EXDATE:20240101T000000Z", true, ""},
		{"EXDATE:20240101T000000Z,20241225T120000Z", true, ""},
		{"20240101T000000Z", false, ""},
		{"EXDATE:2024-01-01", true, `date "2024-01-01" is not of the form 20060102T150405Z`},
		{"EXDATE:20240101T000000Z,", true, `date "" is not of the form 20060102T150405Z`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ok, err := checkExclusionDate(tt.in)
			require.Equal(t, tt.ok, ok)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.EqualError(t, err, tt.wantErr)
			}
		})
	}
}
