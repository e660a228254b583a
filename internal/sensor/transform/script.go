package transform

import (
	"context"
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/herald-dev/herald/internal/sensor/luascript"
)

// runScript runs the Lua script; the value it returns last must be a table.
func (t *Transform) runScript(ctx context.Context, data map[string]any) (any, error) {
	ret, err := t.script.Run(ctx, data)
	if err != nil {
		return nil, t.timedOut(ctx, fmt.Errorf("script: %w", err))
	}
	table, ok := ret.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("%w: script returned %s, not a table", ErrNotObject, ret.Type())
	}
	out, err := luascript.ToGo(table)
	if err != nil {
		return nil, fmt.Errorf("converting script output: %w", err)
	}
	return out, nil
}
