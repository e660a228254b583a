package jqlimit

import (
	"testing"

	"github.com/itchyny/gojq"
)

// BenchmarkOverhead compares a program run as gojq compiles it with the
// same program behind jqlimit's checks.
func BenchmarkOverhead(b *testing.B) {
	input := map[string]any{"type": "ADD", "n": 1.0, "body": map[string]any{"metadata": map[string]any{"name": "svc", "labels": map[string]any{"a": "b"}}}}
	for _, bc := range []struct{ name, src string }{
		{"assign", `.operation = {"ADD": "create", "UPDATE": "update", "DELETE": "delete"}[.type]`},
		{"arithmetic", `reduce range(100) as $i (0; . + $i * 2)`},
		{"compare", `.body.metadata.name == "svc" and .n < 2`},
	} {
		q, err := gojq.Parse(bc.src)
		if err != nil {
			b.Fatal(err)
		}
		plain, err := gojq.Compile(q)
		if err != nil {
			b.Fatal(err)
		}
		checked, err := Compile(bc.src, MinBudget)
		if err != nil {
			b.Fatal(err)
		}
		for name, code := range map[string]*gojq.Code{"plain": plain, "checked": checked} {
			b.Run(bc.name+"/"+name, func(b *testing.B) {
				for b.Loop() {
					if _, ok := code.Run(input).Next(); !ok {
						b.Fatal("no output")
					}
				}
			})
		}
	}
}
