package manifest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// This file decides what JSON value a YAML scalar becomes. Kubernetes tools
// (kubectl, sigs.k8s.io/yaml) parse YAML with yaml.v2, which applies YAML 1.1
// rules: unquoted yes/no/on/off/y/n are booleans, 0x1F and 017 are integers,
// timestamps stay strings. yaml.v3, which we parse with for positions, uses
// YAML 1.2 rules, so its tags cannot be used; the rules below follow yaml.v2
// instead, and resolve_test.go checks them against sigs.k8s.io/yaml.
//
// One known difference: yaml.v3 drops the non-specific tag "!" (as in
// "! 12"), which makes yaml.v2 read the scalar as a string; here it is read
// as if untagged.

// YAML tags in short form.
const (
	tagNull      = "!!null"
	tagBool      = "!!bool"
	tagInt       = "!!int"
	tagFloat     = "!!float"
	tagStr       = "!!str"
	tagTimestamp = "!!timestamp"
	tagBinary    = "!!binary"
	tagMerge     = "!!merge"
)

// plainWords are the plain scalars resolved by a fixed table, not by syntax.
var plainWords = map[string]any{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"true": true, "True": true, "TRUE": true,
	"on": true, "On": true, "ON": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false,
	"false": false, "False": false, "FALSE": false,
	"off": false, "Off": false, "OFF": false,
	"": nil, "~": nil, "null": nil, "Null": nil, "NULL": nil,
	".nan": math.NaN(), ".NaN": math.NaN(), ".NAN": math.NaN(),
	".inf": math.Inf(1), ".Inf": math.Inf(1), ".INF": math.Inf(1),
	"+.inf": math.Inf(1), "+.Inf": math.Inf(1), "+.INF": math.Inf(1),
	"-.inf": math.Inf(-1), "-.Inf": math.Inf(-1), "-.INF": math.Inf(-1),
}

// floatSyntax is the YAML 1.1 float form yaml.v2 accepts besides Go's own.
var floatSyntax = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// timestampLayouts are the timestamp forms yaml.v2 recognises.
var timestampLayouts = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// resolvePlain returns the tag and Go value of an untagged plain scalar:
// nil, bool, int64, uint64, float64 or string.
func resolvePlain(s string) (string, any) {
	if v, ok := plainWords[s]; ok {
		return tagOf(v), v
	}
	if s == "" {
		return tagStr, s
	}
	switch c := s[0]; {
	case c == '.':
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return tagFloat, f
		}
	case c == '+' || c == '-' || (c >= '0' && c <= '9'):
		if isTimestamp(s) {
			// yaml.v2 keeps timestamps as the original text when the
			// target is untyped, as it is for JSON conversion.
			return tagTimestamp, s
		}
		return resolveNumber(s)
	}
	return tagStr, s
}

// resolveNumber handles a plain scalar starting with a digit or sign.
func resolveNumber(s string) (string, any) {
	plain := strings.ReplaceAll(s, "_", "")
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return tagInt, i
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return tagInt, u
	}
	if floatSyntax.MatchString(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return tagFloat, f
		}
	}
	switch {
	case strings.HasPrefix(plain, "0b"):
		if i, err := strconv.ParseInt(plain[2:], 2, 64); err == nil {
			return tagInt, i
		}
		if u, err := strconv.ParseUint(plain[2:], 2, 64); err == nil {
			return tagInt, u
		}
	case strings.HasPrefix(plain, "-0b"):
		if i, err := strconv.ParseInt("-"+plain[3:], 2, 64); err == nil {
			return tagInt, i
		}
	}
	return tagStr, s
}

// isTimestamp reports whether s has one of the YAML timestamp forms.
func isTimestamp(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, layout := range timestampLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// tagOf returns the tag of a value from plainWords.
func tagOf(v any) string {
	switch v.(type) {
	case nil:
		return tagNull
	case bool:
		return tagBool
	}
	return tagFloat
}

// resolveScalar returns the Go value yaml.v2 gives the scalar n when decoding
// into an untyped value, or an error for an explicit tag that does not fit.
func resolveScalar(n *yaml.Node) (any, error) {
	const quoted = yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle
	tagged := n.Style&yaml.TaggedStyle != 0
	if !tagged {
		if n.Style&quoted != 0 {
			return n.Value, nil
		}
		_, v := resolvePlain(n.Value)
		return v, nil
	}
	switch n.Tag {
	case tagStr:
		return n.Value, nil
	case tagBinary:
		data, err := base64.StdEncoding.DecodeString(n.Value)
		if err != nil {
			return nil, errors.New("!!binary value is not valid base64")
		}
		return string(data), nil
	case tagNull, tagBool, tagInt, tagFloat, tagTimestamp:
	default:
		// Tags Kubernetes tools do not know keep the text as a string.
		return n.Value, nil
	}
	got, v := resolvePlain(n.Value)
	switch {
	case got == n.Tag:
		return v, nil
	case n.Tag == tagFloat && got == tagInt:
		switch i := v.(type) {
		case int64:
			return float64(i), nil
		case uint64:
			return float64(i), nil
		}
	}
	return nil, fmt.Errorf("cannot read %q as %s", n.Value, n.Tag)
}

// mapKey turns a resolved YAML key into the JSON object key sigs.k8s.io/yaml
// uses: numbers and booleans become their text, null is not allowed.
func mapKey(v any) (string, error) {
	switch k := v.(type) {
	case string:
		return k, nil
	case int64:
		return strconv.FormatInt(k, 10), nil
	case bool:
		return strconv.FormatBool(k), nil
	case float64:
		switch {
		case math.IsInf(k, 1):
			return ".inf", nil
		case math.IsInf(k, -1):
			return "-.inf", nil
		case math.IsNaN(k):
			return ".nan", nil
		}
		return strconv.FormatFloat(k, 'g', -1, 32), nil
	case nil:
		return "", errors.New("null is not allowed as a mapping key")
	}
	return "", fmt.Errorf("%T is not allowed as a mapping key", v)
}
