package transform

import (
	"encoding/json"
	"math"
	"math/big"
	"slices"
	"strconv"
	"unicode/utf8"
)

// encode is json.Marshal(v) for the values jq and Lua results are made of,
// refusing (ErrOutputTooLarge) a result past limit bytes or MaxDepth as
// soon as it gets there.
func encode(v any, limit, sizeHint int) ([]byte, error) {
	return encodeReusing(v, nil, limit, sizeHint)
}

// encodeReusing is encode that copies the bytes of the containers s knows
// instead of encoding them again.
func encodeReusing(v any, s *spans, limit, sizeHint int) ([]byte, error) {
	e := encoder{buf: make([]byte, 0, min(max(sizeHint, 512), limit)), limit: limit, spans: s}
	if e.value(v, 0) {
		return e.buf, nil
	}
	if e.tooLarge {
		return nil, errTooLarge(e.tooDeep, limit)
	}
	// A value encoding/json treats specially (NaN, an unexpected type):
	// let it decide, within the limits.
	if err := checkSize(v, limit); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if len(b) > limit {
		return nil, errTooLarge(false, limit)
	}
	return b, nil
}

type encoder struct {
	buf               []byte
	keys              []string
	spans             *spans
	limit             int
	tooLarge, tooDeep bool
}

// value appends v; false when encoding/json must take over or a limit is
// passed (tooLarge).
func (e *encoder) value(v any, depth int) bool {
	if depth > MaxDepth {
		e.tooLarge, e.tooDeep = true, true
		return false
	}
	switch v := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case bool:
		e.buf = strconv.AppendBool(e.buf, v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
		e.buf = appendFloat(e.buf, v)
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(v), 10)
	case *big.Int:
		if v == nil {
			e.buf = append(e.buf, "null"...)
		} else {
			e.buf = v.Append(e.buf, 10)
		}
	case string:
		e.buf = appendString(e.buf, v)
	case map[string]any:
		if v == nil {
			e.buf = append(e.buf, "null"...)
			break
		}
		if raw, ok := e.spans.mapBytes(v, depth); ok {
			e.buf = append(e.buf, raw...)
			break
		}
		e.buf = append(e.buf, '{')
		// The keys of all open objects share one stack.
		start := len(e.keys)
		for k := range v {
			e.keys = append(e.keys, k)
		}
		slices.Sort(e.keys[start:])
		for i := range len(v) {
			k := e.keys[start+i]
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = appendString(e.buf, k)
			e.buf = append(e.buf, ':')
			if !e.value(v[k], depth+1) {
				return false
			}
		}
		e.keys = e.keys[:start]
		e.buf = append(e.buf, '}')
	case []any:
		if v == nil {
			e.buf = append(e.buf, "null"...)
			break
		}
		if raw, ok := e.spans.sliceBytes(v, depth); ok {
			e.buf = append(e.buf, raw...)
			break
		}
		e.buf = append(e.buf, '[')
		for i, el := range v {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if !e.value(el, depth+1) {
				return false
			}
		}
		e.buf = append(e.buf, ']')
	default:
		return false
	}
	if len(e.buf) > e.limit {
		e.tooLarge = true
		return false
	}
	return true
}

// appendFloat writes f as encoding/json does: like ES6, %f between 1e-6 and
// 1e21, otherwise %e with a two-digit exponent shortened.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// invalidUTF8 is what encoding/json writes for a byte that is not UTF-8:
// the escape \ufffd up to Go 1.26, the character U+FFFD itself from Go 1.27
// (encoding/json on json/v2). The encoder writes the same as the Go it was
// built with.
var invalidUTF8 = func() string {
	b, err := json.Marshal("\xff")
	if err != nil || len(b) < 2 {
		return `\ufffd`
	}
	return string(b[1 : len(b)-1])
}()

// appendString writes s as encoding/json does with HTML escaping: <, >, &,
// control characters, U+2028 and U+2029 escaped, invalid UTF-8 as
// invalidUTF8.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, invalidUTF8...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
