package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// This file compares live objects with a scenario's expected/*.ingress.yaml
// files by the rules of the scenario README ("Reading expected/"):
// apiVersion, kind, name and namespace equal; every listed label and
// annotation present with its value; spec equal exactly, JSON types
// included; ownerReferences absent unless listed; "~re:<RE2>" values match
// the regexp. Server-populated fields are not compared.

// loadExpected reads an expected object as generic JSON (numbers as
// json.Number, so 8080 and "8080" differ).
func loadExpected(t *testing.T, path string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	js, err := yaml.YAMLToJSON(raw)
	require.NoError(t, err, "converting %s", path)
	var want map[string]any
	require.NoError(t, decodeJSON(js, &want), "decoding %s", path)
	return want
}

// decodeJSON decodes JSON keeping numbers as json.Number.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// matchExpected returns nil when got matches want, else what differs.
func matchExpected(want map[string]any, got *unstructured.Unstructured) error {
	js, err := json.Marshal(got.Object)
	if err != nil {
		return fmt.Errorf("encoding the live object: %w", err)
	}
	var live map[string]any
	if err := decodeJSON(js, &live); err != nil {
		return fmt.Errorf("decoding the live object: %w", err)
	}
	var problems []string
	for _, key := range []string{"apiVersion", "kind"} {
		if err := matchValue(want[key], live[key], key); err != nil {
			problems = append(problems, err.Error())
		}
	}
	wm, _ := want["metadata"].(map[string]any)
	lm, _ := live["metadata"].(map[string]any)
	for _, key := range []string{"name", "namespace"} {
		if err := matchValue(wm[key], lm[key], "metadata."+key); err != nil {
			problems = append(problems, err.Error())
		}
	}
	for _, key := range []string{"labels", "annotations"} {
		wk, _ := wm[key].(map[string]any)
		lk, _ := lm[key].(map[string]any)
		for _, k := range sortedKeys(wk) {
			if err := matchValue(wk[k], lk[k], "metadata."+key+"."+k); err != nil {
				problems = append(problems, err.Error())
			}
		}
	}
	if err := matchValue(wm["ownerReferences"], lm["ownerReferences"], "metadata.ownerReferences"); err != nil {
		problems = append(problems, err.Error())
	}
	if err := matchValue(want["spec"], live["spec"], "spec"); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s differs from the expected object:\n  %s\nlive object: %s",
			got.GetName(), strings.Join(problems, "\n  "), js)
	}
	return nil
}

// matchValue compares want and got exactly (maps with the same keys, lists
// in the same order, same JSON types); a want string "~re:<RE2>" matches a
// string got by the regexp.
func matchValue(want, got any, path string) error {
	if s, ok := want.(string); ok && strings.HasPrefix(s, "~re:") {
		g, ok := got.(string)
		if !ok {
			return fmt.Errorf("%s: want a string matching %q, got %s", path, s[4:], show(got))
		}
		re, err := regexp.Compile(s[4:])
		if err != nil {
			return fmt.Errorf("%s: bad expected regexp: %w", path, err)
		}
		if !re.MatchString(g) {
			return fmt.Errorf("%s: %q does not match %q", path, g, s[4:])
		}
		return nil
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %s", path, show(got))
		}
		keys := sortedKeys(w)
		for _, k := range sortedKeys(g) {
			if _, ok := w[k]; !ok {
				return fmt.Errorf("%s: unexpected key %q (%s)", path, k, show(g[k]))
			}
		}
		for _, k := range keys {
			if _, ok := g[k]; !ok {
				return fmt.Errorf("%s: missing key %q", path, k)
			}
			if err := matchValue(w[k], g[k], path+"."+k); err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: want %s, got %s", path, show(want), show(got))
		}
		for i := range w {
			if err := matchValue(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Errorf("%s: want %s, got %s", path, show(want), show(got))
	}
	return nil
}

// matchSubset reports whether every key of want (except those starting
// with "_") is in got with an equal value; nested objects are compared the
// same way, lists element by element.
func matchSubset(want, got any, path string) error {
	w, ok := want.(map[string]any)
	if !ok {
		if wl, ok := want.([]any); ok {
			gl, ok := got.([]any)
			if !ok || len(gl) < len(wl) {
				return fmt.Errorf("%s: want %s, got %s", path, show(want), show(got))
			}
			for i := range wl {
				if err := matchSubset(wl[i], gl[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
			return nil
		}
		return matchValue(want, got, path)
	}
	g, ok := got.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: want an object, got %s", path, show(got))
	}
	for _, k := range sortedKeys(w) {
		if strings.HasPrefix(k, "_") {
			continue
		}
		gv, ok := g[k]
		if !ok {
			return fmt.Errorf("%s: missing key %q", path, k)
		}
		if err := matchSubset(w[k], gv, path+"."+k); err != nil {
			return err
		}
	}
	return nil
}

// show renders a value with its JSON type visible ("8080" vs 8080).
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
