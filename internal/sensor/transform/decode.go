package transform

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Argo decodes the event data with encoding/json into a map[string]any and
// encodes the result with json.Marshal; these two dominated the cost of a
// transform. decodeObject and encode produce the same values and the same
// bytes, faster, for the values that occur here, and hand everything else
// (errors included) to encoding/json itself, so the results cannot differ.
// FuzzDecode and FuzzEncode compare them with encoding/json.
//
// Most of an event usually passes through a transform untouched (a jq
// program sets one field of a Kubernetes object), and event sources write
// their data with encoding/json, so the bytes of each untouched part are
// already exactly what encode would write for it. The decoder notes those
// parts (spans) and encode copies them instead of walking them again.

// decodeObject is json.Unmarshal(data, &m) for a map[string]any m.
func decodeObject(data []byte) (map[string]any, error) {
	m, _, err := decodeWithSpans(data, false, nil)
	return m, err
}

// decodeWithSpans is decodeObject that, when record is set, also returns the
// spans of the containers whose bytes are already in encode's form. With
// need, the members of the object need leaves out are not decoded when
// their bytes are in encode's form: each is an empty stand-in map that
// spans knows the bytes of. The caller guarantees that nothing looks
// inside them (see inputKeys).
func decodeWithSpans(data []byte, record bool, need *inputKeys) (map[string]any, *spans, error) {
	d := decoders.Get().(*decoder)
	defer d.release()
	d.data = data
	if record {
		// A transform's input is an event's data, which nothing writes
		// to once the event is built: the strings can be slices of it,
		// without a copy of the whole (most of which a stand-in skips).
		d.text = unsafe.String(unsafe.SliceData(data), len(data))
	} else {
		d.text = string(data)
	}
	if record {
		d.spans = &spans{src: data, at: make(map[containerKey]span)}
		if need != nil && !need.all {
			d.need = need
		}
	}
	if m, ok := d.top(); ok {
		return m, d.spans, nil
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, nil, err
	}
	return m, nil, nil
}

// decoder is a recursive-descent JSON parser that gives up (ok = false) on
// anything encoding/json might treat differently: invalid JSON, numbers out
// of float64 range, nesting past MaxDepth.
type decoder struct {
	data  []byte
	text  string // a copy of data: strings without escapes are slices of it
	pos   int
	depth int
	// After each value: whether its bytes are in encode's form, and how
	// deep its containers nest (0 for a scalar).
	canon  bool
	height int
	// spans, when not nil, collects the canonical containers.
	spans   *spans
	scratch []byte
	// Members and elements of the open containers: each container is made
	// once its size is known, without growing.
	members []member
	elems   []any
	// need, when set, says which members of the top object to decode.
	need *inputKeys
	// skipping parses without building values (to check a member's bytes).
	skipping bool
}

// decoders keeps decoders for their stacks and scratch space.
var decoders = sync.Pool{New: func() any { return new(decoder) }}

// release resets d, keeping its buffers, and puts it back in the pool.
func (d *decoder) release() {
	clear(d.members[:cap(d.members)])
	clear(d.elems[:cap(d.elems)])
	*d = decoder{scratch: d.scratch[:0], members: d.members[:0], elems: d.elems[:0]}
	// (need and skipping are reset with the rest.)
	decoders.Put(d)
}

type member struct {
	k string
	v any
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

// space skips white space and reports whether there was any.
func (d *decoder) space() bool {
	start := d.pos
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return d.pos > start
		}
	}
	return d.pos > start
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
	d.canon, d.height = true, 0
	switch c := d.peek(); {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		s, ok := d.string()
		if !ok || d.skipping {
			return nil, ok // no string boxed for a value not kept
		}
		return s, true
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
	start := d.pos
	d.pos++ // {
	canon := !d.space()
	if d.peek() == '}' {
		d.pos++
		d.depth--
		d.canon, d.height = canon, 1
		if d.skipping {
			return nil, true
		}
		return make(map[string]any), true
	}
	base := len(d.members)
	height := 0
	var prev string
	for first := true; ; first = false {
		if d.space() {
			canon = false
		}
		if d.peek() != '"' {
			return nil, false
		}
		k, ok := d.string()
		if !ok {
			return nil, false
		}
		// encode writes keys sorted; a repeated key is decoded once.
		canon = canon && d.canon && (first || k > prev)
		prev = k
		if d.space() {
			canon = false
		}
		if d.peek() != ':' {
			return nil, false
		}
		d.pos++
		if d.space() {
			canon = false
		}
		var v any
		if d.depth == 1 && d.need != nil && !d.need.needs(k) {
			v, ok = d.standIn()
		} else {
			v, ok = d.value()
		}
		if !ok {
			return nil, false
		}
		canon = canon && d.canon
		height = max(height, d.height)
		if !d.skipping {
			d.members = append(d.members, member{k, v})
		}
		if d.space() {
			canon = false
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			if d.skipping {
				d.canon, d.height = canon, height+1
				return nil, true
			}
			m := make(map[string]any, len(d.members)-base)
			for _, kv := range d.members[base:] {
				m[kv.k] = kv.v
			}
			clear(d.members[base:])
			d.members = d.members[:base]
			d.canon, d.height = canon, height+1
			if canon {
				d.spans.addMap(m, start, d.pos, d.height)
			}
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
	start := d.pos
	d.pos++ // [
	canon := !d.space()
	if d.peek() == ']' {
		d.pos++
		d.depth--
		d.canon, d.height = canon, 1
		if d.skipping {
			return nil, true
		}
		return make([]any, 0), true
	}
	base := len(d.elems)
	height := 0
	for {
		if d.space() {
			canon = false
		}
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		canon = canon && d.canon
		height = max(height, d.height)
		if !d.skipping {
			d.elems = append(d.elems, v)
		}
		if d.space() {
			canon = false
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			if d.skipping {
				d.canon, d.height = canon, height+1
				return nil, true
			}
			a := make([]any, len(d.elems)-base)
			copy(a, d.elems[base:])
			clear(d.elems[base:])
			d.elems = d.elems[:base]
			d.canon, d.height = canon, height+1
			if canon {
				d.spans.addSlice(a, start, d.pos, d.height)
			}
			return a, true
		default:
			return nil, false
		}
	}
}

// standIn reads a member of the top object the program does not look at.
// When its bytes are in encode's form (and long enough to be worth it) it
// returns a stand-in whose bytes spans knows; otherwise the member is
// decoded.
func (d *decoder) standIn() (any, bool) {
	start := d.pos
	d.skipping = true
	_, ok := d.value()
	d.skipping = false
	if !ok {
		return nil, false
	}
	if d.canon && d.pos-start >= minSpan {
		v := make(map[string]any)
		d.spans.addStandIn(v, start, d.pos, d.height)
		return v, true
	}
	d.pos = start
	return d.value()
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
	if d.skipping && isShortInteger(d.data[start:d.pos]) {
		d.canon = true // encode writes such an integer as it is
		return nil, true
	}
	f, err := strconv.ParseFloat(d.text[start:d.pos], 64)
	if err != nil {
		return nil, false
	}
	if d.spans != nil {
		d.scratch = appendFloat(d.scratch[:0], f)
		d.canon = bytes.Equal(d.scratch, d.data[start:d.pos])
	}
	if d.skipping {
		return nil, true
	}
	return f, true
}

// isShortInteger reports whether a number read with JSON's grammar is an
// integer of at most 15 digits, which float64 holds exactly and
// appendFloat writes back unchanged.
func isShortInteger(num []byte) bool {
	digits := num
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 15 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
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
func (d *decoder) string() (string, bool) {
	d.pos++ // opening quote
	start := d.pos
	simple, ascii, html := true, true, false
	for {
		// Skip the bytes that need no thought, the most of any string.
		for d.pos < len(d.data) && byteClass[d.data[d.pos]] == plainByte {
			d.pos++
		}
		if d.pos >= len(d.data) {
			return "", false
		}
		switch c := d.data[d.pos]; byteClass[c] {
		case quoteByte:
			raw := d.data[start:d.pos]
			d.pos++
			switch {
			case simple && ascii:
				d.canon = !html
				return d.text[start : d.pos-1], true
			case simple && utf8.Valid(raw):
				d.canon = d.spans == nil || !needsEscape(raw)
				return d.text[start : d.pos-1], true
			}
			s := unquote(raw)
			if d.spans != nil {
				d.scratch = appendString(d.scratch[:0], s)
				d.canon = bytes.Equal(d.scratch, d.data[start-1:d.pos])
			}
			return s, true
		case controlByte:
			return "", false
		case backslashByte:
			simple = false
			d.pos++
			switch d.peek() {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.pos++
			case 'u':
				if len(d.data)-d.pos < 5 || !isHex4(d.data[d.pos+1:d.pos+5]) {
					return "", false
				}
				d.pos += 5
			default:
				return "", false
			}
		case htmlByte: // encoding/json escapes <, > and &
			html = true
			d.pos++
		default: // past ASCII: the string needs a UTF-8 check
			ascii = false
			d.pos++
		}
	}
}

// The kinds of bytes inside a JSON string, for string's scan.
const (
	plainByte = iota
	quoteByte
	backslashByte
	controlByte
	htmlByte
	highByte
)

var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c == '"':
			t[c] = quoteByte
		case c == '\\':
			t[c] = backslashByte
		case c < ' ':
			t[c] = controlByte
		case c == '<' || c == '>' || c == '&':
			t[c] = htmlByte
		case c >= utf8.RuneSelf:
			t[c] = highByte
		}
	}
	return t
}()

// needsEscape reports whether appendString escapes something in raw, a
// string without escapes in valid UTF-8.
func needsEscape(raw []byte) bool {
	for i, c := range raw {
		switch c {
		case '<', '>', '&':
			return true
		case 0xE2: // U+2028 and U+2029 are E2 80 A8 and E2 80 A9
			if i+2 < len(raw) && raw[i+1] == 0x80 && (raw[i+2] == 0xA8 || raw[i+2] == 0xA9) {
				return true
			}
		}
	}
	return false
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
func unquote(s []byte) string {
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
	return string(out)
}
