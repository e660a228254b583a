package transform

import (
	"encoding/json"
	"math"
	"math/big"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Argo decodes the event data with encoding/json into a map[string]any and
// encodes the result with json.Marshal; these two dominated the cost of a
// transform. decodeObject and encode produce the same values and the same
// bytes, faster, for the values that occur here, and hand everything else
// (errors included) to encoding/json itself, so the results cannot differ.
// FuzzDecode and FuzzEncode compare them with encoding/json.

// decodeObject is json.Unmarshal(data, &m) for a map[string]any m.
func decodeObject(data []byte) (map[string]any, error) {
	d := decoder{data: data, text: string(data)}
	if m, ok := d.top(); ok {
		return m, nil
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// decoder is a recursive-descent JSON parser that gives up (ok = false) on
// anything encoding/json might treat differently: invalid JSON, numbers out
// of float64 range, nesting past MaxDepth.
type decoder struct {
	data  []byte
	text  string // a copy of data: strings without escapes are slices of it
	pos   int
	depth int
}

func (d *decoder) top() (map[string]any, bool) {
	d.space()
	var m map[string]any
	switch {
	case d.pos < len(d.data) && d.data[d.pos] == '{':
		v, ok := d.object()
		if !ok {
			return nil, false
		}
		m = v
	case d.literal("null"):
	default:
		return nil, false
	}
	d.space()
	return m, d.pos == len(d.data)
}

func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) literal(lit string) bool {
	if len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit {
		d.pos += len(lit)
		return true
	}
	return false
}

func (d *decoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *decoder) value() (any, bool) {
	switch c := d.peek(); {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.string()
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case d.literal("true"):
		return true, true
	case d.literal("false"):
		return false, true
	case d.literal("null"):
		return nil, true
	}
	return nil, false
}

func (d *decoder) object() (map[string]any, bool) {
	if d.depth++; d.depth > MaxDepth {
		return nil, false
	}
	d.pos++ // {
	m := make(map[string]any)
	d.space()
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return m, true
	}
	for {
		d.space()
		if d.peek() != '"' {
			return nil, false
		}
		k, ok := d.string()
		if !ok {
			return nil, false
		}
		d.space()
		if d.peek() != ':' {
			return nil, false
		}
		d.pos++
		d.space()
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		m[k.(string)] = v
		d.space()
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return m, true
		default:
			return nil, false
		}
	}
}

func (d *decoder) array() ([]any, bool) {
	if d.depth++; d.depth > MaxDepth {
		return nil, false
	}
	d.pos++ // [
	a := make([]any, 0)
	d.space()
	if d.peek() == ']' {
		d.pos++
		d.depth--
		return a, true
	}
	for {
		d.space()
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		a = append(a, v)
		d.space()
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return a, true
		default:
			return nil, false
		}
	}
}

// number reads a number with JSON's grammar as float64.
func (d *decoder) number() (any, bool) {
	start := d.pos
	if d.peek() == '-' {
		d.pos++
	}
	switch c := d.peek(); {
	case c == '0':
		d.pos++
	case c >= '1' && c <= '9':
		d.digits()
	default:
		return nil, false
	}
	if d.peek() == '.' {
		d.pos++
		if !d.digits() {
			return nil, false
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.pos++
		if c := d.peek(); c == '+' || c == '-' {
			d.pos++
		}
		if !d.digits() {
			return nil, false
		}
	}
	f, err := strconv.ParseFloat(d.text[start:d.pos], 64)
	if err != nil {
		return nil, false
	}
	return f, true
}

func (d *decoder) digits() bool {
	start := d.pos
	for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
		d.pos++
	}
	return d.pos > start
}

// string reads a string as encoding/json unquotes it: escapes decoded,
// invalid UTF-8 and unpaired surrogates replaced by U+FFFD.
func (d *decoder) string() (any, bool) {
	d.pos++ // opening quote
	start := d.pos
	simple := true
	for {
		if d.pos >= len(d.data) {
			return nil, false
		}
		c := d.data[d.pos]
		switch {
		case c == '"':
			raw := d.data[start:d.pos]
			d.pos++
			if simple && utf8.Valid(raw) {
				return d.text[start : d.pos-1], true
			}
			return unquote(raw)
		case c < ' ':
			return nil, false
		case c == '\\':
			simple = false
			d.pos++
			switch d.peek() {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.pos++
			case 'u':
				if len(d.data)-d.pos < 5 || !isHex4(d.data[d.pos+1:d.pos+5]) {
					return nil, false
				}
				d.pos += 5
			default:
				return nil, false
			}
		default:
			d.pos++
		}
	}
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// hex4 reads the four hex digits after `\u` at b, or -1.
func hex4(b []byte) rune {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' || !isHex4(b[2:6]) {
		return -1
	}
	r, _ := strconv.ParseUint(string(b[2:6]), 16, 32)
	return rune(r)
}

// unquote decodes the inside of a validated string with escapes or
// non-ASCII bytes.
func unquote(s []byte) (any, bool) {
	out := make([]byte, 0, len(s)+2*utf8.UTFMax)
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			switch e := s[r+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				rr := hex4(s[r:])
				r += 6
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, hex4(s[r:])); dec != utf8.RuneError {
						r += 6
						out = utf8.AppendRune(out, dec)
						continue
					}
					rr = utf8.RuneError
				}
				out = utf8.AppendRune(out, rr)
				continue
			}
			r += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			out = utf8.AppendRune(out, rr)
		}
	}
	return string(out), true
}

// encode is json.Marshal(v) for the values jq and Lua results are made of,
// refusing (ErrOutputTooLarge) a result past limit bytes or MaxDepth as
// soon as it gets there.
func encode(v any, limit, sizeHint int) ([]byte, error) {
	e := encoder{buf: make([]byte, 0, min(max(sizeHint, 512), limit)), limit: limit}
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

// appendString writes s as encoding/json does with HTML escaping: <, >, &,
// control characters, U+2028 and U+2029 escaped, invalid UTF-8 as \ufffd.
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
			b = append(b, `\ufffd`...)
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
