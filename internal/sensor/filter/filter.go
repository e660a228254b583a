// Package filter decides whether an event passes the filters of a Sensor
// dependency, with the semantics of Argo Events v1.9
// (pkg/sensors/dependencies/filter.go), and says why when it does not.
//
// A dependency's filters are compiled once (Compile: regular expressions,
// templates, expressions, Lua, time zone) and evaluated per event (Match).
// The rules, as under Argo:
//
//   - Filter kinds are evaluated in the order exprs, data, context, time,
//     script and combined with filtersLogicalOperator: "or" passes when at
//     least one kind that is set passes, anything else means "and". A kind
//     that is not set passes under "and" and does not count under "or"; an
//     "or" with no kind set rejects everything (Argo's quirk), while a
//     dependency without `filters` passes everything.
//   - Any error rejects the event, also under "or" when another kind passed.
//     A missing path is such an error under Argo; Herald reports it as a
//     rejection Reason with Seen = Missing rather than as an error, with the
//     same outcome.
//   - data and exprs filters pass every event that has no data, and fail
//     with ErrInvalidData on data that is not JSON (Herald: also on data
//     nested deeper than MaxDepth, which no Argo EventSource can encode).
//     Inside each kind,
//     dataLogicalOperator / exprLogicalOperator "or" passes on the first
//     filter that passes and ignores the errors of the others.
//   - data: the gjson path must exist; `template` (text/template + sprig,
//     input `.Input`, the value as a string) rewrites the value first and
//     must not give "" or "<no value>". Type string: every value is an
//     unanchored regular expression matched against the value's string form
//     (a JSON text for objects, arrays and multipaths), comparator "="/""
//     passes on a match, "!=" on a value that does not match, others never
//     pass. Type number: the value read as a float (strings are parsed),
//     compared with each value by the comparator (unknown comparators never
//     pass). Type bool: equal to a value. The filter passes when one value
//     passes (so "!=" with several values passes unless every value
//     matches, as in v1.9).
//   - exprs: govaluate expressions over fields (name -> gjson path, each
//     must exist); an expression passes when it evaluates to boolean true;
//     one with no fields is skipped.
//   - context: the set attributes among type, subject, source and
//     datacontenttype must be equal.
//   - time: [start, stop) on the day of the event's time in the time zone
//     (UTC by default); stop before start wraps past midnight.
//   - script: Lua with the data as global `event` (data must be a JSON
//     object); passes when the last value returned is boolean true. Bounded
//     by Options.ScriptTimeout and sandboxed (see package luascript).
package filter

import (
	"context"
	"strings"
	"time"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// DefaultScriptTimeout is the time limit of one script filter evaluation
// when Options.ScriptTimeout is zero.
const DefaultScriptTimeout = time.Second

// Options tune Compile.
type Options struct {
	// ScriptTimeout bounds one evaluation of the script filter. Zero means
	// DefaultScriptTimeout.
	ScriptTimeout time.Duration
	// Strict makes Compile fail on a filter that can never be evaluated
	// (see ErrInvalidFilter). When false, as under Argo, such a filter errors
	// when an event reaches it, and Problems lists it.
	Strict bool
}

// Filter is the compiled form of a dependency's filters. It is safe for
// concurrent use.
type Filter struct {
	set      bool // the dependency has a `filters` block
	or       bool // filtersLogicalOperator is "or"
	exprs    *exprGroup
	data     *dataGroup
	context  *contextFilter
	time     *timeFilter
	script   *scriptFilter
	problems []error
}

// Compile compiles the filters of dep. A nil dep or one without filters
// yields a Filter that passes everything.
func Compile(dep *v1alpha1.EventDependency, opts Options) (*Filter, error) {
	f := &Filter{}
	if dep == nil || dep.Filters == nil {
		return f, nil
	}
	spec := dep.Filters
	f.set = true
	f.or = dep.FiltersLogicalOperator == v1alpha1.OrLogicalOperator
	if spec.Exprs != nil {
		f.exprs = compileExprs(spec.Exprs, spec.ExprLogicalOperator, &f.problems)
	}
	if spec.Data != nil {
		f.data = compileData(spec.Data, spec.DataLogicalOperator, &f.problems)
	}
	if spec.Context != nil {
		f.context = compileContext(spec.Context)
	}
	if spec.Time != nil {
		f.time = compileTime(spec.Time, &f.problems)
	}
	if spec.Script != "" {
		timeout := opts.ScriptTimeout
		if timeout <= 0 {
			timeout = DefaultScriptTimeout
		}
		f.script = compileScript(spec.Script, timeout, &f.problems)
	}
	if opts.Strict && len(f.problems) > 0 {
		return nil, f.problems[0]
	}
	return f, nil
}

// Problems lists the filters that can never be evaluated, each wrapping
// ErrInvalidFilter. Match errors when an event reaches one of them.
func (f *Filter) Problems() []error { return f.problems }

// Match evaluates ev against the filters. now stands in for the event time
// when the event has none. A non-nil error (an *EvalError) means a filter
// could not be evaluated; the event is then rejected, as under Argo.
func (f *Filter) Match(ev *event.Event, now time.Time) (Result, error) {
	return f.MatchContext(context.Background(), ev, now)
}

// MatchContext is Match with a context that also bounds the script filter.
func (f *Filter) MatchContext(ctx context.Context, ev *event.Event, now time.Time) (Result, error) {
	if f == nil || !f.set {
		return Result{Pass: true}, nil
	}
	if ev == nil {
		return Result{}, evalErr("filters", errNilEvent)
	}
	in := newInput(ev, now)
	if !f.or {
		return f.matchAll(ctx, &in)
	}
	return f.matchAny(ctx, &in)
}

// matchAll is filtersLogicalOperator "and": the first error or rejection
// decides. (Argo evaluates the remaining kinds after a rejection too; the
// outcome is the same.)
func (f *Filter) matchAll(ctx context.Context, in *input) (Result, error) {
	for k := range kindCount {
		o, set := f.eval(ctx, k, in)
		if set && (len(o.errs) > 0 || !o.pass) {
			return finish(o.errs, o.reasons)
		}
	}
	return Result{Pass: true}, nil
}

// matchAny is filtersLogicalOperator "or": every kind is evaluated, any
// error rejects, otherwise one kind that passes is enough.
func (f *Filter) matchAny(ctx context.Context, in *input) (Result, error) {
	var (
		pass    bool
		errs    []error
		reasons []Reason
	)
	for k := range kindCount {
		o, set := f.eval(ctx, k, in)
		if !set {
			continue
		}
		if k == kindScript && len(o.errs) > 0 {
			// Argo returns a script error at once, dropping the others.
			return finish(o.errs, nil)
		}
		errs = append(errs, o.errs...)
		reasons = append(reasons, o.reasons...)
		pass = pass || o.pass
	}
	if len(errs) == 0 && pass {
		return Result{Pass: true}, nil
	}
	if len(errs) == 0 && len(reasons) == 0 {
		reasons = append(reasons, Reason{Filter: "filters", Seen: "no filter set", Want: `one filter to pass (filtersLogicalOperator "or")`})
	}
	if len(errs) > 0 {
		// A kind that errored rejects the event even if another passed; the
		// reasons of the kinds that merely failed are beside the point.
		reasons = nil
	}
	return finish(errs, reasons)
}

// Indexes of the filter kinds in Argo's evaluation order.
const (
	kindExprs = iota
	kindData
	kindContext
	kindTime
	kindScript
	kindCount
)

// eval evaluates kind k; set is false when the dependency does not set it.
func (f *Filter) eval(ctx context.Context, k int, in *input) (o outcome, set bool) {
	switch k {
	case kindExprs:
		if f.exprs != nil {
			return f.exprs.eval(in), true
		}
	case kindData:
		if f.data != nil {
			return f.data.eval(in), true
		}
	case kindContext:
		if f.context != nil {
			return f.context.eval(in.ev), true
		}
	case kindTime:
		if f.time != nil {
			return f.time.eval(in.when), true
		}
	case kindScript:
		if f.script != nil {
			return f.script.eval(ctx, in), true
		}
	}
	return outcome{}, false
}

// input is one event as the filters read it.
type input struct {
	ev    *event.Event
	when  time.Time
	data  string // ev.Data viewed as a string, without a copy
	valid int8   // 0: not checked yet, 1: valid JSON, -1: not
}

func newInput(ev *event.Event, now time.Time) input {
	in := input{ev: ev, when: ev.Time, data: bytesString(ev.Data)}
	if in.when.IsZero() {
		in.when = now
	}
	return in
}

// hasData reports whether the event carries data; Argo passes data, exprs
// and script filters for events without data.
func (in *input) hasData() bool { return len(in.data) > 0 }

// isJSON reports whether the data is valid JSON, checking once.
func (in *input) isJSON() bool {
	if in.valid == 0 {
		in.valid = -1
		if validJSON(in.data) {
			in.valid = 1
		}
	}
	return in.valid == 1
}

// MaxDepth is the deepest nesting of arrays and objects the filters accept
// in event data; deeper data is not valid JSON to them. It is the limit of
// encoding/json, so no event that an Argo EventSource could encode is
// refused, while data built to exhaust the stack of gjson's recursive
// parser is.
const MaxDepth = 10000

// validJSON is gjson.Valid with the MaxDepth limit.
func validJSON(s string) bool {
	if strings.Count(s, "[")+strings.Count(s, "{") > MaxDepth && tooDeep(s) {
		return false
	}
	return gjson.Valid(s)
}

// tooDeep reports whether arrays and objects in s nest deeper than
// MaxDepth, skipping brackets inside strings.
func tooDeep(s string) bool {
	depth, inString, escaped := 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			if depth++; depth > MaxDepth {
				return true
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return false
}

// get reads path from the data. The result refers to the event's bytes,
// which events never change after they are built.
func (in *input) get(path string) gjson.Result { return gjson.Get(in.data, path) }

// bytesString views b as a string without copying.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
