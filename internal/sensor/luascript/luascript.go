// Package luascript runs the Lua scripts of Sensor dependencies (the `script`
// filter and the `script` transform) the way Argo Events runs them, inside a
// bounded sandbox.
//
// What a script sees is what it sees under Argo: one global `event`, a table
// built from the event data (a JSON object) by the same conversion rules, and
// the value it returns is read from the top of the stack (its last returned
// value). What differs is the sandbox: Argo opens every gopher-lua library;
// here only base, table, string, math and coroutine are opened, plus an `os`
// table that holds the clock functions alone (time, date, clock, difftime).
// From base, the functions that reach files, the process or the garbage
// collector (dofile, loadfile, require, module, collectgarbage, _printregs)
// are removed and print does nothing. string.rep refuses results larger than
// MaxStringBytes. Every run gets an interpreter in the state of a fresh one, as under Argo, and stops
// when its context ends.
//
// Memory: a run is stopped (ErrMemoryLimit) once the process has allocated
// more than MaxAllocBytes since it began (checked every 1024 instructions,
// see memory.go), and string.rep, string.gsub and table.concat refuse
// results past MaxStringBytes.
//
// Known limits: a single Go-implemented library call (for example a Lua
// pattern match with heavy backtracking) is not interrupted until it returns.
// The time limit still bounds every loop written in Lua.
//
// This package is shared by internal/sensor/filter and
// internal/sensor/transform, which are its only importers.
package luascript

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// MaxStringBytes is the largest string string.rep builds.
const MaxStringBytes = 16 << 20

// EventGlobal is the name of the global that holds the event data.
const EventGlobal = "event"

// Script is a compiled Lua chunk. It is safe for concurrent use: each Run
// builds its own interpreter.
type Script struct {
	name  string
	proto *lua.FunctionProto
}

// Compile parses and compiles source. name appears in Lua error messages.
func Compile(name, source string) (*Script, error) {
	chunk, err := parse.Parse(strings.NewReader(source), name)
	if err != nil {
		return nil, fmt.Errorf("parsing Lua script: %w", err)
	}
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		return nil, fmt.Errorf("compiling Lua script: %w", err)
	}
	return &Script{name: name, proto: proto}, nil
}

// Run runs the script with the global `event` set to the table built from
// data (see ToTable) and returns the script's last returned value, or lua.LNil
// when it returned nothing. Run stops the script when ctx ends; the error then
// wraps ctx.Err().
func (s *Script) Run(ctx context.Context, data map[string]any) (ret lua.LValue, err error) {
	wctx, stop := watch(ctx, MaxAllocBytes)
	defer stop(nil)
	L := acquire(wctx)
	reuse := false
	defer func() { release(L, reuse) }()
	defer func() {
		if r := recover(); r != nil {
			ret, err = lua.LNil, fmt.Errorf("running Lua script: panic: %v", r)
		}
	}()
	L.SetGlobal(EventGlobal, ToTable(L, data))
	L.Push(L.NewFunctionFromProto(s.proto))
	if err := L.PCall(0, lua.MultRet, nil); err != nil {
		if errors.Is(context.Cause(wctx), ErrMemoryLimit) && ctx.Err() == nil {
			return lua.LNil, fmt.Errorf("running Lua script: %w (%d bytes)", ErrMemoryLimit, MaxAllocBytes)
		}
		if cerr := ctx.Err(); cerr != nil {
			return lua.LNil, fmt.Errorf("running Lua script: %w", cerr)
		}
		return lua.LNil, fmt.Errorf("running Lua script: %w", err)
	}
	ret = L.Get(-1)
	reuse = true
	return ret, nil
}

// states keeps interpreters between runs: building one allocates its stacks
// (about 100 KiB), which dominated the cost of a run.
var states = sync.Pool{New: func() any { return lua.NewState(lua.Options{SkipOpenLibs: true}) }}

// acquire returns an interpreter in the state of a new one: a fresh global
// table and registry with freshly opened libraries, so nothing a previous
// script did (globals, changed library tables, the string metatable) is
// visible. Stack and registry sizes are gopher-lua's defaults, as under
// Argo.
func acquire(ctx context.Context) *lua.LState {
	L := states.Get().(*lua.LState)
	L.G.Registry = L.NewTable()
	L.G.Global = L.NewTable()
	L.Env = L.G.Global
	openLibs(L)
	L.SetContext(ctx)
	return L
}

// release returns L to the pool after a run that ended normally; after an
// error or a panic it is dropped.
func release(L *lua.LState, reuse bool) {
	L.RemoveContext()
	if !reuse {
		L.Close()
		return
	}
	L.SetTop(0)
	states.Put(L)
}

// openLibs opens the restricted libraries into L's globals.
func openLibs(L *lua.LState) {
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	for _, name := range []string{"dofile", "loadfile", "require", "module", "collectgarbage", "_printregs"} {
		L.SetGlobal(name, lua.LNil)
	}
	L.SetGlobal("print", L.NewFunction(func(*lua.LState) int { return 0 }))
	if str, ok := L.GetGlobal(lua.StringLibName).(*lua.LTable); ok {
		str.RawSetString("rep", L.NewFunction(boundedRep))
		if gsub, ok := str.RawGetString("gsub").(*lua.LFunction); ok && gsub.IsG {
			str.RawSetString("gsub", L.NewFunction(boundedGsub(gsub.GFunction)))
		}
	}
	if tab, ok := L.GetGlobal(lua.TabLibName).(*lua.LTable); ok {
		if concat, ok := tab.RawGetString("concat").(*lua.LFunction); ok && concat.IsG {
			tab.RawSetString("concat", L.NewFunction(boundedConcat(concat.GFunction)))
		}
	}
	osTable := L.CreateTable(0, 4)
	for name, fn := range osClock() {
		osTable.RawSetString(name, L.NewFunction(fn))
	}
	L.SetGlobal(lua.OsLibName, osTable)
}

// osClock returns the clock functions of gopher-lua's os library (time, date,
// clock, difftime), which read the clock and touch nothing else.
var osClock = sync.OnceValue(func() map[string]lua.LGFunction {
	full := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer full.Close()
	full.Push(full.NewFunction(lua.OpenOs))
	full.Push(lua.LString(lua.OsLibName))
	full.Call(1, 0)
	out := map[string]lua.LGFunction{}
	if os, ok := full.GetGlobal(lua.OsLibName).(*lua.LTable); ok {
		for _, name := range []string{"time", "date", "clock", "difftime"} {
			if fn, ok := os.RawGetString(name).(*lua.LFunction); ok && fn.IsG {
				out[name] = fn.GFunction
			}
		}
	}
	return out
})

// boundedRep is string.rep with a cap on the result size.
func boundedRep(L *lua.LState) int {
	str := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || str == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if n > MaxStringBytes/len(str) {
		L.RaiseError("string.rep: result larger than %d bytes", MaxStringBytes)
		return 0
	}
	L.Push(lua.LString(strings.Repeat(str, n)))
	return 1
}

// ToTable converts a JSON object decoded by encoding/json into a Lua table,
// with Argo's rules: numbers become Lua numbers, strings and booleans their
// Lua counterparts, objects tables and arrays sequences. A null member is left
// out. Inside an array, null elements and nested arrays are left out and the
// following elements move down (Argo's conversion does the same).
func ToTable(L *lua.LState, m map[string]any) *lua.LTable {
	t := L.CreateTable(0, len(m))
	for k, v := range m {
		switch v := v.(type) {
		case float64:
			t.RawSetString(k, lua.LNumber(v))
		case string:
			t.RawSetString(k, lua.LString(v))
		case bool:
			t.RawSetString(k, lua.LBool(v))
		case map[string]any:
			t.RawSetString(k, ToTable(L, v))
		case []any:
			t.RawSetString(k, arrayToTable(L, v))
		}
	}
	return t
}

func arrayToTable(L *lua.LState, a []any) *lua.LTable {
	t := L.CreateTable(len(a), 0)
	for _, v := range a {
		switch v := v.(type) {
		case map[string]any:
			t.Append(ToTable(L, v))
		case float64:
			t.Append(lua.LNumber(v))
		case string:
			t.Append(lua.LString(v))
		case bool:
			t.Append(lua.LBool(v))
		}
	}
	return t
}

// MaxDepth is how deeply nested a table ToGo converts; deeper (or cyclic)
// tables are an error.
const MaxDepth = 10000

// ErrNoJSON is wrapped by ToGo errors about values that have no JSON form.
var ErrNoJSON = errors.New("value has no JSON form")

// ToGo converts a Lua value into the Go value encoding/json writes, with
// Argo's rules: a table whose array part is empty becomes an object keyed by
// the keys' string forms; otherwise it becomes an array of its elements 1..n
// (other keys are dropped). A table whose metatable has __is_array = true is
// an array even when empty (later Argo versions; v1.9 wrote `{}`).
// Functions, userdata, threads and channels have no JSON form.
func ToGo(v lua.LValue) (any, error) {
	return toGo(v, 0)
}

// forcedArray reports whether t's metatable sets __is_array to true.
func forcedArray(t *lua.LTable) bool {
	mt, ok := t.Metatable.(*lua.LTable)
	return ok && mt.RawGetString("__is_array") == lua.LTrue
}

func toGo(v lua.LValue, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: tables nested deeper than %d (or a table that contains itself)", ErrNoJSON, MaxDepth)
	}
	switch v := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(v), nil
	case lua.LString:
		return string(v), nil
	case lua.LNumber:
		return float64(v), nil
	case *lua.LTable:
		if n := v.MaxN(); n > 0 || forcedArray(v) {
			out := make([]any, 0, n)
			for i := 1; i <= n; i++ {
				e, err := toGo(v.RawGetInt(i), depth+1)
				if err != nil {
					return nil, err
				}
				out = append(out, e)
			}
			return out, nil
		}
		out := map[string]any{}
		var err error
		v.ForEach(func(key, val lua.LValue) {
			if err != nil {
				return
			}
			var e any
			if e, err = toGo(val, depth+1); err == nil {
				out[key.String()] = e
			}
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%w: a Lua %s", ErrNoJSON, v.Type())
	}
}
