package filter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/herald-dev/herald/internal/sensor/luascript"
)

var errNilEvent = errors.New("nil event")

// scriptFilter is the compiled Lua `script` filter.
type scriptFilter struct {
	script  *luascript.Script
	timeout time.Duration
	err     error
}

func compileScript(src string, timeout time.Duration, problems *[]error) *scriptFilter {
	f := &scriptFilter{timeout: timeout}
	f.script, f.err = luascript.Compile("filter", src)
	if f.err != nil {
		f.err = invalid("script: %v", f.err)
		*problems = append(*problems, evalErr("script", f.err))
	}
	return f
}

// eval runs the script with Argo's rules: no data passes; the data must be a
// JSON object (null counts as an empty one); the event passes when the last
// value the script returns is boolean true.
func (f *scriptFilter) eval(ctx context.Context, in *input) outcome {
	if !in.hasData() {
		return passed
	}
	if f.err != nil {
		return errored(evalErr("script", f.err))
	}
	var data map[string]any
	if err := json.Unmarshal(in.ev.Data, &data); err != nil {
		return errored(evalErr("script", fmt.Errorf("%w: %w", ErrInvalidData, err)))
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	ret, err := f.script.Run(ctx, data)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return errored(evalErr("script", fmt.Errorf("%w (%s): %w", ErrScriptTimeout, f.timeout, err)))
		}
		return errored(evalErr("script", err))
	}
	if ret == lua.LTrue {
		return passed
	}
	return failed(Reason{Filter: "script", Seen: seen(ret.String()), Want: "the script to return true"})
}
