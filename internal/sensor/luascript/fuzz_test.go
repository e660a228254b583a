package luascript

import (
	"context"
	"errors"
	"testing"
	"time"
)

// FuzzRun compiles and runs fuzzed Lua scripts on a fixed event. Invariants:
// no panic escapes Run; a run ends within a bound of its deadline (or
// stops for memory); a value returned without an error converts to JSON or
// fails with ErrNoJSON.
func FuzzRun(f *testing.F) {
	for _, s := range []string{
		`return event.a == 1`, `while true do end`, `local s = "x"; while true do s = s .. s end`,
		`return string.rep("x", 1e12)`, `local t = {}; t[1] = t; return t`, `return setmetatable({}, {__is_array = true})`,
		`return string.gsub(string.rep("x", 1000), "x", string.rep("y", 100000))`, `error("boom")`,
		`return coroutine.wrap(function() while true do end end)()`, `return os.time()`, `return table.concat({"a", "b"}, ",")`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Compile("fuzz", src)
		if err != nil {
			return
		}
		const deadline = 50 * time.Millisecond
		ctx, cancel := context.WithTimeout(t.Context(), deadline)
		defer cancel()
		start := time.Now()
		ret, err := s.Run(ctx, map[string]any{"a": 1.0, "s": "x", "l": []any{1.0, "b"}})
		// A run that ignores its deadline would go on for good; the margin
		// is wide because a loaded machine (make test runs packages in
		// parallel) took 3 s to stop a string doubling at its memory limit
		// that takes 0.1 s alone. This catches hangs, not slowness.
		if took := time.Since(start); took > deadline+30*time.Second {
			t.Fatalf("run took %s: the deadline did not stop it", took)
		}
		if err != nil {
			return
		}
		if _, err := ToGo(ret); err != nil && !errors.Is(err, ErrNoJSON) {
			t.Fatalf("ToGo: %v", err)
		}
	})
}
