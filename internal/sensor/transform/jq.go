package transform

import (
	"context"
	"errors"
	"fmt"

	"github.com/itchyny/gojq"

	"github.com/herald-dev/herald/internal/sensor/jqlimit"
)

// compileJQ parses and compiles a jq program once. Argo parses it for every
// event and compiles it as it runs; a compile error (an unknown function,
// say) then shows as the first output, which Argo rejects as not an
// object. Either way no event gets through.
//
// The program runs behind jqlimit's checks: no single step may build or
// walk a value larger than budget bytes (see package jqlimit), so the time
// limit holds and memory stays bounded.
func compileJQ(src string, budget int) (*gojq.Code, error) {
	code, err := jqlimit.Compile(src, budget)
	if err != nil {
		return nil, fmt.Errorf("%w: jq: %w", ErrInvalidTransform, unwrapStage(err))
	}
	return code, nil
}

// unwrapStage drops jqlimit's "parsing: " or "compiling: " prefix, so that
// messages read as gojq's own.
func unwrapStage(err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		return inner
	}
	return err
}

// jqReads analyses what of its input a valid jq program may look at.
func jqReads(src string) *inputKeys {
	query, err := gojq.Parse(src)
	if err != nil {
		return &inputKeys{all: true}
	}
	r := readsOf(query)
	return &r
}

// runJQ runs the program and returns its first output, which must be an
// object. The rest of the outputs are never computed.
func (t *Transform) runJQ(ctx context.Context, data map[string]any) (any, error) {
	v, ok := t.jq.RunWithContext(ctx, data).Next()
	if !ok {
		return nil, ErrNoOutput
	}
	switch v := v.(type) {
	case map[string]any:
		return v, nil
	case error:
		if errors.Is(v, context.DeadlineExceeded) || errors.Is(v, context.Canceled) {
			return nil, t.timedOut(ctx, fmt.Errorf("jq: %w", v))
		}
		if errors.Is(v, jqlimit.ErrTooLarge) {
			return nil, fmt.Errorf("%w: jq: %w", ErrOutputTooLarge, v)
		}
		var halt *gojq.HaltError
		if errors.As(v, &halt) && halt.Value() == nil {
			// `halt` stops without output.
			return nil, ErrNoOutput
		}
		return nil, fmt.Errorf("%w: jq: %w", ErrNotObject, v)
	default:
		return nil, fmt.Errorf("%w: jq gave %s", ErrNotObject, jqType(v))
	}
}

// jqType names the jq type of an output, for errors.
func jqType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	default:
		return "a number"
	}
}
