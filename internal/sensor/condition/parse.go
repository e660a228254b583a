package condition

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// maxDepth bounds the nesting of parentheses and `!` so that a hostile
// expression cannot exhaust the stack.
const maxDepth = 256

// SyntaxError reports where and why an expression does not parse.
type SyntaxError struct {
	// Offset is the byte offset in the expression where the problem starts.
	Offset int
	// Msg says what was expected and what was found.
	Msg string
}

// Error returns "at offset N: <what went wrong>".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("at offset %d: %s", e.Offset, e.Msg)
}

type tokenKind int

const (
	tokEnd tokenKind = iota
	tokName
	tokAnd
	tokOr
	tokNot
	tokLParen
	tokRParen
)

type token struct {
	kind tokenKind
	text string
	off  int
}

// describe names a token the way an error message shows it.
func (t token) describe() string {
	if t.kind == tokEnd {
		return "end of expression"
	}
	return strconv.Quote(t.text)
}

// isNameRune reports whether r may appear in a dependency name.
func isNameRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.'
}

// lex splits expr into tokens, ending with a tokEnd.
func lex(expr string) ([]token, error) {
	var toks []token
	for i := 0; i < len(expr); {
		r, size := utf8.DecodeRuneInString(expr[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '(':
			toks = append(toks, token{tokLParen, "(", i})
			i++
		case r == ')':
			toks = append(toks, token{tokRParen, ")", i})
			i++
		case r == '!':
			toks = append(toks, token{tokNot, "!", i})
			i++
		case r == '&' || r == '|':
			op := string([]rune{r, r})
			if len(expr) < i+2 || expr[i:i+2] != op {
				return nil, &SyntaxError{Offset: i, Msg: fmt.Sprintf("unexpected %q (did you mean %q?)", string(r), op)}
			}
			kind := tokAnd
			if r == '|' {
				kind = tokOr
			}
			toks = append(toks, token{kind, op, i})
			i += 2
		case isNameRune(r):
			start := i
			for i < len(expr) {
				r, size := utf8.DecodeRuneInString(expr[i:])
				if !isNameRune(r) {
					break
				}
				i += size
			}
			toks = append(toks, token{tokName, expr[start:i], start})
		default:
			if r == utf8.RuneError && size == 1 {
				return nil, &SyntaxError{Offset: i, Msg: "invalid UTF-8"}
			}
			return nil, &SyntaxError{Offset: i, Msg: fmt.Sprintf("unexpected character %q", string(r))}
		}
	}
	return append(toks, token{kind: tokEnd, off: len(expr)}), nil
}

type parser struct {
	toks  []token
	pos   int
	depth int
}

// Parse parses a trigger condition. Errors are *SyntaxError values that say at
// which byte offset the expression goes wrong.
func Parse(expr string) (*Expr, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEnd {
		return nil, p.unexpected(t, "expected \"&&\", \"||\" or end of expression")
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEnd {
		p.pos++
	}
	return t
}

func (p *parser) unexpected(t token, expected string) error {
	return &SyntaxError{Offset: t.off, Msg: fmt.Sprintf("%s, found %s", expected, t.describe())}
}

func (p *parser) or() (*Expr, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tokOr {
		p.next()
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = &Expr{Op: OpOr, Args: []*Expr{left, right}}
	}
	return left, nil
}

func (p *parser) and() (*Expr, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tokAnd {
		p.next()
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = &Expr{Op: OpAnd, Args: []*Expr{left, right}}
	}
	return left, nil
}

func (p *parser) unary() (*Expr, error) {
	t := p.next()
	switch t.kind {
	case tokName:
		return &Expr{Op: OpName, Name: t.text}, nil
	case tokNot, tokLParen:
		if p.depth >= maxDepth {
			return nil, &SyntaxError{Offset: t.off, Msg: fmt.Sprintf("expression nested more than %d levels deep", maxDepth)}
		}
		p.depth++
		defer func() { p.depth-- }()
		if t.kind == tokNot {
			operand, err := p.unary()
			if err != nil {
				return nil, err
			}
			return &Expr{Op: OpNot, Args: []*Expr{operand}}, nil
		}
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, p.unexpected(c, fmt.Sprintf("expected \")\" to close \"(\" at offset %d", t.off))
		}
		return inner, nil
	}
	return nil, p.unexpected(t, "expected dependency name")
}
