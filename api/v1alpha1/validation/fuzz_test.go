package validation

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// FuzzValidate decodes fuzzed YAML into each kind and validates it.
// Invariants: no panic; every error and warning has a field path and a
// message; validating the same object twice gives the same result.
func FuzzValidate(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil && len(data) < 1<<16 {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"spec: {webhook: {a: {port: \"12000\", endpoint: /x, method: POST}}}",
		"spec: {dependencies: [{name: d, eventSourceName: e, eventName: a, filters: {data: [{path: body.x, type: string, value: [\"\\xff\"]}]}}], triggers: [{template: {name: t, log: {}}}]}",
		"metadata: {name: " + strings.Repeat("a", 300) + "}\nspec: {triggers: [{template: {name: \"\\0\"}}]}",
		"spec: {nats: {native: {replicas: 99999999999999999999}}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, obj := range []any{&v1alpha1.EventSource{}, &v1alpha1.Sensor{}, &v1alpha1.EventBus{}} {
			if err := yaml.Unmarshal(data, obj); err != nil {
				continue
			}
			res := Validate(obj, DefaultSupport())
			for _, e := range append(res.Errors, res.Warnings...) {
				if e.Error() == "" {
					t.Fatalf("empty error for %s", data)
				}
			}
			again := Validate(obj, DefaultSupport())
			if len(again.Errors) != len(res.Errors) || len(again.Warnings) != len(res.Warnings) {
				t.Fatalf("not deterministic: %v then %v", res.Errors, again.Errors)
			}
		}
	})
}
