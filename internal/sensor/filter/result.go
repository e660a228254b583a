package filter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Result is the outcome of Match: whether the event passes and, when it does
// not, why.
type Result struct {
	// Pass is true when the event passes the dependency's filters.
	Pass bool
	// Reasons says why the event was rejected, one entry per filter that
	// rejected it (several when filters are combined with "or" and all
	// failed). Empty when Pass is true.
	Reasons []Reason
}

// String renders the result for logs.
func (r Result) String() string {
	if r.Pass {
		return "passed"
	}
	if len(r.Reasons) == 0 {
		return "rejected"
	}
	parts := make([]string, len(r.Reasons))
	for i, reason := range r.Reasons {
		parts[i] = reason.String()
	}
	return "rejected: " + strings.Join(parts, "; ")
}

// Missing is the Seen value of a Reason whose path is absent from the event.
const Missing = "<missing>"

// Reason describes one filter that rejected an event.
type Reason struct {
	// Filter names the filter: "data[0]", "exprs[1]", "context", "time" or
	// "script".
	Filter string
	// Path is the gjson path (data), the fields (exprs) or the context
	// attribute (context) that was checked; empty for time and script.
	Path string
	// Seen is the value found in the event (Missing when the path is absent),
	// shortened to maxSeen bytes.
	Seen string
	// Want says what the filter expected.
	Want string
}

// String renders the reason for logs, e.g.
// `data[0] body.kind: saw "Pod", want type string, value matching "^Service$"`.
func (r Reason) String() string {
	var b strings.Builder
	b.WriteString(r.Filter)
	if r.Path != "" {
		b.WriteByte(' ')
		b.WriteString(r.Path)
	}
	b.WriteString(": saw ")
	if r.Seen == Missing {
		b.WriteString(Missing)
	} else {
		b.WriteString(strconv.Quote(r.Seen))
	}
	b.WriteString(", want ")
	b.WriteString(r.Want)
	return b.String()
}

// maxSeen caps Reason.Seen so that a rejection does not copy a large payload.
const maxSeen = 200

// seen copies s for a Reason, cut at maxSeen bytes on a rune boundary.
func seen(s string) string {
	if len(s) <= maxSeen {
		return strings.Clone(s)
	}
	cut := maxSeen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Errors returned by Compile (in strict mode) and Match. Match wraps them in
// an *EvalError naming the filter.
var (
	// ErrInvalidData means the event data is not the JSON the filter needs
	// (Argo: "event data not valid JSON").
	ErrInvalidData = errors.New("event data is not valid JSON")
	// ErrScriptTimeout means a script filter ran past its time limit.
	ErrScriptTimeout = errors.New("script ran past its time limit")
	// ErrInvalidFilter means a filter in the manifest cannot be evaluated
	// (a bad regular expression, number, template, expression, script, time
	// or time zone, no values, an unknown type). Under Argo such a filter
	// fails when an event reaches it; Compile reports it up front in strict
	// mode and in Problems.
	ErrInvalidFilter = errors.New("invalid filter")
)

// EvalError is an error of one filter while evaluating an event. Under Argo
// an error always rejects the event.
type EvalError struct {
	// Filter names the filter as in Reason.Filter ("data" or "exprs" when the
	// whole group failed, e.g. on invalid data).
	Filter string
	// Err is the underlying error.
	Err error
}

func (e *EvalError) Error() string { return e.Filter + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *EvalError) Unwrap() error { return e.Err }

func evalErr(filter string, err error) error { return &EvalError{Filter: filter, Err: err} }

// invalid wraps a manifest problem found while compiling.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidFilter, fmt.Sprintf(format, args...))
}

// missingPath is Argo's "path does not exist" error. Argo treats it as an
// error (it rejects the event and, in an "or" combination, still rejects
// when another filter passes); Herald reports it as a rejection Reason.
type missingPath struct {
	filter, path, want string
}

func (m *missingPath) Error() string {
	return m.filter + ": path '" + m.path + "' does not exist"
}

func (m *missingPath) reason() Reason {
	return Reason{Filter: m.filter, Path: m.path, Seen: Missing, Want: m.want}
}

// outcome is the result of one filter group under Argo's rules: errs holds
// the errors Argo would return (non-empty means the group errored), reasons
// the rejections to report when the group did not pass.
type outcome struct {
	pass    bool
	errs    []error
	reasons []Reason
}

var passed = outcome{pass: true}

func failed(reasons ...Reason) outcome { return outcome{reasons: reasons} }

func errored(errs ...error) outcome { return outcome{errs: errs} }

// finish turns the errors and reasons of a rejected event into Match's
// result: missing paths become reasons, other errors are returned.
func finish(errs []error, reasons []Reason) (Result, error) {
	var hard []error
	for _, err := range errs {
		var mp *missingPath
		if errors.As(err, &mp) {
			reasons = append(reasons, mp.reason())
			continue
		}
		hard = append(hard, err)
	}
	res := Result{Reasons: reasons}
	switch len(hard) {
	case 0:
		return res, nil
	case 1:
		return res, hard[0]
	default:
		return res, errors.Join(hard...)
	}
}

// combine evaluates the n filters of a group under its logical operator,
// with Argo's rules: under "and" the first error or rejection decides;
// under "or" the first pass decides, and otherwise every error and
// rejection is kept. A filter that skips (no fields to read) counts as
// neither. The outcome of an "or" group where nothing passed has pass false.
func combine(or bool, n int, eval func(i int) (ok, skip bool, reason Reason, err error)) outcome {
	var (
		errs    []error
		reasons []Reason
	)
	for i := range n {
		ok, skip, reason, err := eval(i)
		switch {
		case err != nil:
			if !or {
				return errored(err)
			}
			errs = append(errs, err)
		case skip:
		case ok:
			if or {
				return passed
			}
		default:
			if !or {
				return failed(reason)
			}
			reasons = append(reasons, reason)
		}
	}
	if or {
		return outcome{errs: errs, reasons: reasons}
	}
	return passed
}
