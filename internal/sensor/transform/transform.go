// Package transform rewrites the data of an event for a Sensor dependency
// with its `transform` (a jq program or a Lua script), with the semantics of
// Argo Events v1.9 (pkg/sensors/dependencies/transform.go).
//
// Under Argo the transform runs before the filters: the filters, and the
// triggers, see the transformed event. The rules, as under Argo:
//
//   - jq wins when both jq and script are set; neither set is the identity.
//   - An event without data is returned unchanged.
//   - The data must be a JSON object (null counts as an empty one); other
//     data is an error.
//   - jq: the program runs on the object decoded by encoding/json (numbers
//     are float64). Only its first output is used; no output is an error, and
//     so is a first output that is not an object (a jq error included).
//   - script: Lua with the object as global `event`; the value it returns
//     last must be a table (see package luascript for the conversions; a
//     table with an array part becomes a JSON array, which is accepted).
//   - The result is written with encoding/json (sorted keys, HTML characters
//     escaped) and replaces the data; datacontenttype becomes
//     application/json. Any error drops the event for the dependency.
//
// Herald bounds each run: Options.Timeout (the jq interpreter and the Lua
// VM stop when it passes) and Options.MaxOutputBytes (a larger result is an
// error, found while it is encoded). Results nested deeper than MaxDepth
// are an error too. Decoding and encoding use a faster codec that gives the
// same values and bytes as encoding/json (see codec.go).
package transform

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/itchyny/gojq"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/sensor/luascript"
)

// Defaults for Options.
const (
	DefaultTimeout        = time.Second
	DefaultMaxOutputBytes = 4 << 20
)

// Options tune Compile.
type Options struct {
	// Timeout bounds one run. Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxOutputBytes caps the encoded result. Zero means
	// DefaultMaxOutputBytes.
	MaxOutputBytes int
	// Strict makes Compile fail on a program that cannot be compiled. When
	// false, as under Argo, every Apply fails with that error instead.
	Strict bool
}

// Errors of Apply, wrapped with details.
var (
	// ErrInvalidTransform means the jq program or Lua script does not
	// compile.
	ErrInvalidTransform = errors.New("invalid transform")
	// ErrInvalidData means the event data is not a JSON object.
	ErrInvalidData = errors.New("event data is not a JSON object")
	// ErrNoOutput means the jq program produced no output.
	ErrNoOutput = errors.New("no output available from the jq command execution")
	// ErrNotObject means the result is not what Argo accepts: a JSON object
	// for jq, a table for a script.
	ErrNotObject = errors.New("transformation output must be a JSON object")
	// ErrTimeout means the run took longer than Options.Timeout.
	ErrTimeout = errors.New("transformation ran past its time limit")
	// ErrOutputTooLarge means the result is larger than
	// Options.MaxOutputBytes or nested deeper than MaxDepth.
	ErrOutputTooLarge = errors.New("transformation output too large")
)

// Transform is a compiled dependency transform. It is safe for concurrent
// use.
type Transform struct {
	jq       *gojq.Code
	reads    *inputKeys // what of its input the jq program may look at
	script   *luascript.Script
	err      error // the compile error, returned by every Apply
	timeout  time.Duration
	maxBytes int
}

// Compile compiles t. A nil t, or one with neither jq nor script, yields the
// identity.
func Compile(t *v1alpha1.EventDependencyTransformer, opts Options) (*Transform, error) {
	tr := &Transform{timeout: opts.Timeout, maxBytes: opts.MaxOutputBytes}
	if tr.timeout <= 0 {
		tr.timeout = DefaultTimeout
	}
	if tr.maxBytes <= 0 {
		tr.maxBytes = DefaultMaxOutputBytes
	}
	switch {
	case t == nil:
	case t.JQ != "":
		tr.jq, tr.err = compileJQ(t.JQ, jqBudget(tr.maxBytes))
		if tr.err == nil {
			tr.reads = jqReads(t.JQ)
		}
	case t.Script != "":
		tr.script, tr.err = luascript.Compile("transform", t.Script)
		if tr.err != nil {
			tr.err = fmt.Errorf("%w: script: %w", ErrInvalidTransform, tr.err)
		}
	}
	if tr.err != nil && opts.Strict {
		return nil, tr.err
	}
	return tr, nil
}

// Identity reports whether Apply returns every event unchanged.
func (t *Transform) Identity() bool {
	return t == nil || (t.jq == nil && t.script == nil && t.err == nil)
}

// Problem returns the compile error that every Apply returns, if any.
func (t *Transform) Problem() error { return t.err }

// Apply returns ev with its data transformed. ev is not modified: the
// result is a copy with new Data and DataContentType (Extensions shared).
// An identity transform, or an event without data, returns ev itself.
func (t *Transform) Apply(ctx context.Context, ev *event.Event) (*event.Event, error) {
	if t.Identity() {
		return ev, nil
	}
	if ev == nil {
		return nil, errors.New("transforming event: nil event")
	}
	if len(ev.Data) == 0 {
		return ev, nil
	}
	if t.err != nil {
		return nil, t.err
	}
	// Only jq hands the decoded values on untouched; a Lua script's result
	// is all new.
	data, sp, err := decodeWithSpans(ev.Data, t.jq != nil, t.reads)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidData, err)
	}
	out, err := t.run(ctx, data)
	if err != nil {
		return nil, err
	}
	b, err := encodeReusing(out, sp, t.maxBytes, len(ev.Data)+64)
	if err != nil {
		return nil, fmt.Errorf("encoding transformation output: %w", err)
	}
	res := *ev
	res.Data = b
	res.DataContentType = event.ContentTypeJSON
	res.MarkValidJSON()
	return &res, nil
}

// run runs the program on data within the time limit.
func (t *Transform) run(ctx context.Context, data map[string]any) (any, error) {
	if t.jq == nil {
		ctx, cancel := context.WithTimeout(ctx, t.timeout)
		defer cancel()
		return t.runScript(ctx, data)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("jq: %w", err)
	}
	limit := startLimit(t.timeout)
	defer limit.stop()
	return t.runJQ(limit, data)
}

// jqBudget is the largest value a jq step may build or walk: a few times
// the output limit, since intermediate values may be larger than the result.
func jqBudget(maxBytes int) int { return 16 * maxBytes }

// timedOut wraps err as ErrTimeout when ctx passed its deadline.
func (t *Transform) timedOut(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w (%s): %w", ErrTimeout, t.timeout, err)
	}
	return err
}
