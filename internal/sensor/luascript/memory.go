package luascript

import (
	"context"
	"errors"
	"runtime/metrics"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// MaxAllocBytes is how much a run may allocate (counted across the whole
// process while it runs, see watchedContext) before it is stopped with
// ErrMemoryLimit.
const MaxAllocBytes = 256 << 20

// ErrMemoryLimit is wrapped by the error of a run stopped for allocating
// more than MaxAllocBytes.
var ErrMemoryLimit = errors.New("lua script allocated past its memory limit")

// checkInterval is how often a run's allocations are read.
const checkInterval = time.Millisecond

const allocsMetric = "/gc/heap/allocs:bytes"

// watch returns a context that a watchdog cancels, with ErrMemoryLimit as
// its cause, once the process has allocated more than limit bytes since the
// call (read every checkInterval; the interpreter checks its context before
// every instruction). The count is the process's, not the script's: Go has
// no per-goroutine figure. It over-counts under load, which only makes the
// limit stricter, and it bounds what one run can take, `s = s .. s` in a
// loop included. The returned function stops the watchdog.
func watch(ctx context.Context, limit uint64) (context.Context, context.CancelCauseFunc) {
	inner, cancel := context.WithCancelCause(ctx)
	start := allocated()
	go func() {
		tick := time.NewTicker(checkInterval)
		defer tick.Stop()
		for {
			select {
			case <-inner.Done():
				return
			case <-tick.C:
				if allocated()-start > limit {
					cancel(ErrMemoryLimit)
					return
				}
			}
		}
	}()
	return inner, cancel
}

// allocated reads the bytes allocated on the heap since the process began.
func allocated() uint64 {
	s := []metrics.Sample{{Name: allocsMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// boundedConcat is table.concat with a cap on the result size: it is one Go
// call, which the instruction checks do not interrupt.
func boundedConcat(orig lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		tbl := L.CheckTable(1)
		sep := L.OptString(2, "")
		i := L.OptInt(3, 1)
		j := L.OptInt(4, tbl.Len())
		total := 0
		for k := i; k <= j; k++ {
			if k-i > MaxStringBytes {
				L.RaiseError("table.concat: result larger than %d bytes", MaxStringBytes)
				return 0
			}
			if s, ok := tbl.RawGetInt(k).(lua.LString); ok {
				total += len(s)
			} else if n, ok := tbl.RawGetInt(k).(lua.LNumber); ok {
				total += len(n.String())
			}
			total += len(sep)
			if total > MaxStringBytes {
				L.RaiseError("table.concat: result larger than %d bytes", MaxStringBytes)
				return 0
			}
		}
		return orig(L)
	}
}

// boundedGsub is string.gsub refusing a string replacement whose result
// could pass MaxStringBytes (every character of the subject matched and
// replaced).
func boundedGsub(orig lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		str := L.CheckString(1)
		if repl, ok := L.Get(3).(lua.LString); ok && len(repl) > 1 {
			n := len(str) + 1
			if L.GetTop() >= 4 {
				n = min(n, max(L.OptInt(4, n), 0))
			}
			if n > 0 && len(repl) > (MaxStringBytes-len(str))/n+strings.Count(string(repl), "%") {
				L.RaiseError("string.gsub: result may be larger than %d bytes", MaxStringBytes)
				return 0
			}
		}
		return orig(L)
	}
}
