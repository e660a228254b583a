package jqlimit

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/itchyny/gojq"
)

// FuzzCompile runs fuzzed jq programs on fuzzed-shape data both as gojq
// compiles them and behind jqlimit's checks. Invariants: no panic; the
// checked run ends within a bound of its deadline; when both runs give a
// value, it is the same value (the rewrite does not change what a program
// means); a checked error that is not a refusal for size, or a timeout, is
// an error of the plain run too.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`.a + 1`, `.s * 3`, `[.[] | . * 2]`, `.x = 1 | .y |= . + 1 | .z += 2`, `reduce range(5) as $i (0; . + $i)`,
		`{a: (reduce range(30) as $i ([1]; [., .]) | tojson)}`, `"x" * 1e9`, `.[500000000] = 1`, `def f: f; f`,
		`[limit(3; repeat(1))] == [1,1,1]`, `to_entries | sort_by(.key) | from_entries`, `. as [$a, $b] | $a - $b`,
		`tostring | length`, `try error("x") catch .`, `[paths]`, `(1,2) + (10,20)`, `"\(1 + 2)"`, `.a as $x | $x < 2`,
	} {
		f.Add(s, []byte(`{"a": 1, "s": "ab", "x": [1, 2], "y": 3}`))
	}
	f.Fuzz(func(t *testing.T, src string, data []byte) {
		q, err := gojq.Parse(src)
		if err != nil {
			return
		}
		plain, err := gojq.Compile(q)
		if err != nil {
			return
		}
		checked, err := Compile(src, MinBudget)
		if err != nil {
			t.Fatalf("compiles with gojq, not with jqlimit: %v", err)
		}
		var input any = map[string]any{"a": 1.0, "s": "ab", "x": []any{1.0, 2.0}, "y": 3.0, "raw": string(data)}
		const deadline = 50 * time.Millisecond
		start := time.Now()
		got, gotErr := first(t.Context(), checked, input, deadline)
		// Wide margin: this catches a run its deadline does not stop, not
		// a slow one on a loaded machine (see luascript's FuzzRun).
		if took := time.Since(start); took > deadline+30*time.Second {
			t.Fatalf("checked run took %s: the deadline did not stop it", took)
		}
		if errors.Is(gotErr, ErrTooLarge) || errors.Is(gotErr, context.DeadlineExceeded) {
			return
		}
		want, wantErr := first(t.Context(), plain, input, deadline)
		if errors.Is(wantErr, context.DeadlineExceeded) {
			return
		}
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("plain: %v, %v; checked: %v, %v", want, wantErr, got, gotErr)
		}
		if gotErr == nil && !reflect.DeepEqual(got, want) && !hasNaN(want) {
			t.Fatalf("plain gave %#v, checked %#v", want, got)
		}
	})
}

// first runs code and returns its first output, or its error.
func first(ctx context.Context, code *gojq.Code, input any, d time.Duration) (any, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	v, ok := code.RunWithContext(ctx, input).Next()
	if !ok {
		return nil, nil
	}
	if err, ok := v.(error); ok {
		return nil, err
	}
	return v, nil
}

func hasNaN(v any) bool { return !reflect.DeepEqual(v, v) }
