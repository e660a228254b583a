package param

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/itchyny/gojq"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/sensor/jqlimit"
	"github.com/herald-dev/herald/internal/sensor/transform"
)

// An expression (src.expression) is a Herald extension: a jq program run on
// the event data whose first output is the value, with its JSON type kept.
// It is compiled once with the parameter list; each evaluation decodes the
// data as a dependency transform does (objects as map[string]any, numbers as
// float64) and is bounded in time and output size.

// MaxExpressionOutput is the largest value, encoded as JSON, an expression
// may produce; more is an error (ErrExpressionLimit), and the parameter
// falls back to its default as after any expression error.
const MaxExpressionOutput = 1 << 20

// expressionTime bounds one evaluation, as Options.Timeout bounds one run
// of a dependency transform.
var expressionTime = transform.DefaultTimeout

// Why an expression gave no value. Resolve wraps them in ErrUnresolved when
// the source has no default.
var (
	errExpressionNoOutput = errors.New("gave no output")
	errExpressionNull     = errors.New("gave null")
)

// expressionBudget is the largest value one step of an expression may build
// or walk (see package jqlimit).
const expressionBudget = 64 << 20

// paramExpression is one compiled src.expression.
type paramExpression struct {
	code *gojq.Code
}

// compileExpression parses and compiles a jq program. $ENV and env are
// empty (gojq's default), and input/inputs have nothing to read, so a
// program sees only the event data.
func compileExpression(program string) (*paramExpression, error) {
	if _, err := gojq.Parse(program); err != nil {
		return nil, fmt.Errorf("expression does not parse: %w", err)
	}
	// jqlimit bounds every step, so the expression's time limit holds.
	code, err := jqlimit.Compile(program, expressionBudget)
	if err != nil {
		return nil, fmt.Errorf("expression does not compile: %w", errors.Unwrap(err))
	}
	return &paramExpression{code: code}, nil
}

// exclusiveWithExpression names the first source field that cannot be set
// together with expression, or "" when there is none.
func exclusiveWithExpression(src *v1alpha1.TriggerParameterSource) string {
	switch {
	case src.DataKey != "":
		return "dataKey"
	case src.DataTemplate != "":
		return "dataTemplate"
	case src.ContextKey != "":
		return "contextKey"
	case src.ContextTemplate != "":
		return "contextTemplate"
	}
	return ""
}

// newExpressionSource prepares a source whose value comes from its
// expression.
func newExpressionSource(src *v1alpha1.TriggerParameterSource) (*source, error) {
	if other := exclusiveWithExpression(src); other != "" {
		return nil, fmt.Errorf("%w: expression cannot be combined with %s", ErrInvalidParameter, other)
	}
	expr, err := compileExpression(src.Expression)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidParameter, err)
	}
	return &source{src: src, expr: expr}, nil
}

// resolveExpression is resolve for a source with an expression: the
// expression's value, else the default value, else ErrUnresolved (or
// ErrEventData when the data is not JSON or YAML).
func (s *source) resolveExpression(ev *event.Event, cache *renderCache) (Value, error) {
	doc, err := cache.data(ev)
	if err == nil {
		var v Value
		if v, err = s.expr.eval(doc); err == nil {
			return v, nil
		}
	}
	if s.src.Value != nil {
		return defaultValue(*s.src.Value), nil
	}
	if errors.Is(err, ErrEventData) {
		return Value{}, fmt.Errorf("reading event of dependency %q: %w", s.src.DependencyName, err)
	}
	return Value{}, fmt.Errorf("%w in event of dependency %q: expression %w, and no default value",
		ErrUnresolved, s.src.DependencyName, err)
}

// eval runs the program on the JSON document doc and turns its first
// output into a Value: a string is written as a JSON string; a number, a
// boolean, an object or an array is written raw. No output, null, an error,
// or a run past the limits is an error.
func (e *paramExpression) eval(doc []byte) (Value, error) {
	input, err := transform.DecodeValue(doc)
	if err != nil { // doc comes from dataJSON, which checked it
		return Value{}, fmt.Errorf("failed: decoding event data: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), expressionTime)
	defer cancel()
	out, ok := e.code.RunWithContext(ctx, input).Next()
	if !ok {
		return Value{}, errExpressionNoOutput
	}
	v := Value{From: FromExpression, Raw: true}
	switch out := out.(type) {
	case nil:
		return Value{}, errExpressionNull
	case error:
		return Value{}, expressionError(ctx, out)
	case string:
		v.Type, v.Text, v.Raw = TypeString, out, false
		if len(out) > MaxExpressionOutput {
			return Value{}, fmt.Errorf("gave more than %d bytes (%w)", MaxExpressionOutput, ErrExpressionLimit)
		}
		return v, nil
	case bool:
		v.Type, v.Text = TypeFalse, "false"
		if out {
			v.Type, v.Text = TypeTrue, "true"
		}
		return v, nil
	case int, float64, *big.Int:
		v.Type = TypeNumber
	default: // map[string]any, []any
		v.Type = TypeJSON
	}
	text, err := transform.EncodeValue(out, MaxExpressionOutput)
	if err != nil {
		if errors.Is(err, transform.ErrOutputTooLarge) {
			return Value{}, fmt.Errorf("gave too large a value (%w): %w", ErrExpressionLimit, err)
		}
		return Value{}, fmt.Errorf("failed: encoding its output: %w", err)
	}
	v.Text = string(text)
	return v, nil
}

// expressionError describes an error output of the program.
func expressionError(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("ran for more than %s (%w)", expressionTime, ErrExpressionLimit)
	}
	var halt *gojq.HaltError
	if errors.As(err, &halt) && halt.Value() == nil {
		return errExpressionNoOutput // `halt` stops without output
	}
	return fmt.Errorf("failed: %w", err)
}
