package jetstream

import (
	"errors"
	"fmt"
	"strings"
)

// emptyToken stands for an empty name. A lone '%' never comes out of escaping
// anything else (a literal '%' becomes "%25"), so the encoding stays
// reversible.
const emptyToken = "%"

const hexDigits = "0123456789ABCDEF"

// needsEscape reports whether b may not appear as itself in a subject token
// or a JetStream asset name: separators and wildcards, the escape character,
// path separators, ASCII controls and spaces, and every non-ASCII byte (so
// Unicode white space cannot slip through).
func needsEscape(b byte) bool {
	switch b {
	case '.', '*', '>', '%', '/', '\\':
		return true
	}
	return b <= ' ' || b >= 0x7f
}

// EscapeToken encodes name as one NATS subject token: each byte that may not
// appear in a token is written as %XX (upper-case hex) and the empty name as
// a lone "%". UnescapeToken reverses it.
func EscapeToken(name string) string {
	if name == "" {
		return emptyToken
	}
	n := 0
	for i := 0; i < len(name); i++ {
		if needsEscape(name[i]) {
			n++
		}
	}
	if n == 0 {
		return name
	}
	var sb strings.Builder
	sb.Grow(len(name) + 2*n)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if needsEscape(c) {
			sb.WriteByte('%')
			sb.WriteByte(hexDigits[c>>4])
			sb.WriteByte(hexDigits[c&0x0f])
			continue
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

// errBadToken is wrapped by UnescapeToken errors.
var errBadToken = errors.New("malformed subject token")

// UnescapeToken decodes a token written by EscapeToken.
func UnescapeToken(token string) (string, error) {
	if token == emptyToken {
		return "", nil
	}
	if !strings.Contains(token, "%") {
		return token, nil
	}
	out := make([]byte, 0, len(token))
	for i := 0; i < len(token); i++ {
		c := token[i]
		if c != '%' {
			out = append(out, c)
			continue
		}
		if i+2 >= len(token) {
			return "", fmt.Errorf("%w: %q: truncated escape", errBadToken, token)
		}
		hi, lo := unhex(token[i+1]), unhex(token[i+2])
		if hi < 0 || lo < 0 {
			return "", fmt.Errorf("%w: %q: bad escape %q", errBadToken, token, token[i:i+3])
		}
		out = append(out, byte(hi<<4|lo))
		i += 2
	}
	return string(out), nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

// subjects builds the subjects of one bus: <prefix>.<eventsource>.<event>.
type subjects struct {
	prefix string
}

// event is the subject an event of source and name is published on.
func (s subjects) event(source, name string) string {
	return s.prefix + "." + EscapeToken(source) + "." + EscapeToken(name)
}

// all matches every event of the bus; it is the stream's subject.
func (s subjects) all() string { return s.prefix + ".>" }

// filter is the subject matching one Filter; an empty event name matches
// every event of the source.
func (s subjects) filter(source, name string) string {
	if name == "" {
		return s.prefix + "." + EscapeToken(source) + ".*"
	}
	return s.event(source, name)
}

// validPrefix checks a subject prefix: one or more dot-separated literal
// tokens.
func validPrefix(prefix string) error {
	if prefix == "" {
		return errors.New("empty subject prefix")
	}
	for tok := range strings.SplitSeq(prefix, ".") {
		if tok == "" || strings.ContainsAny(tok, "*> \t\r\n\f") {
			return fmt.Errorf("subject prefix %q: tokens must be non-empty and hold no wildcard or white space", prefix)
		}
	}
	return nil
}

// validName checks a stream or bucket name the server will accept as a
// file name.
func validName(name string) error {
	if name == "" {
		return errors.New("empty name")
	}
	if strings.ContainsAny(name, ".*>/\\ \t\r\n\f") {
		return fmt.Errorf("name %q holds one of . * > / \\ or white space", name)
	}
	return nil
}
