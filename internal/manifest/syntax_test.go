package manifest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSyntaxErrorLines checks that YAML syntax errors point at the right
// line; yaml.v3 reports some of them one line early or without a line.
func TestSyntaxErrorLines(t *testing.T) {
	for src, want := range map[string]string{
		"a: 1\nb:\n  c: [unclosed\n  d: 2\n": "m.yaml:3: YAML syntax: did not find expected ',' or ']'",
		"a: 1\nb: : c\n":                     "m.yaml:2: YAML syntax: mapping values are not allowed in this context",
		"a: 1\n\tb: 2\n":                     "m.yaml:2: YAML syntax: found a tab character that violates indentation",
		"a:\n  - x\n  y: 1\n":                "m.yaml:2: YAML syntax: did not find expected '-' indicator",
		"key: value\n- item\n":               "m.yaml:2: YAML syntax: did not find expected key",
		"a: \"\\q\"\n":                       "m.yaml:1: YAML syntax: found unknown escape character",
		"a: 1\nb: *nope\n":                   "m.yaml:2: YAML syntax: unknown anchor 'nope' referenced",
		"a: 1\nb: \x01\n":                    "m.yaml:2: YAML syntax: control characters are not allowed",
		"a: 1\n\nb: \xff\n":                  "m.yaml:3: YAML syntax: invalid leading UTF-8 octet",
	} {
		_, diags := loadOne(t, src, Options{})
		require.Len(t, diags, 1, "for %q", src)
		require.Equal(t, want, diags[0].String(), "for %q", src)
	}
}
