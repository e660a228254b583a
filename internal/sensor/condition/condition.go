// Package condition parses and evaluates the boolean expression in a trigger's
// `conditions` field, e.g. `(dep-a && dep-b) || !dep-c`, which says which
// combination of a Sensor's dependencies fires the trigger.
//
// The language is the subset Argo Events accepts: dependency names combined with
// `&&`, `||`, `!` and parentheses. Whitespace between tokens is ignored. A
// dependency name is a run of letters, digits, `-`, `_` and `.`. `!` binds
// tighter than `&&`, which binds tighter than `||`; binary operators group to
// the left.
package condition

import (
	"slices"
	"strings"
)

// Op is the kind of an Expr node.
type Op int

const (
	// OpName is a leaf: a dependency name, true when that dependency is satisfied.
	OpName Op = iota
	// OpNot negates its single operand.
	OpNot
	// OpAnd is true when both operands are true.
	OpAnd
	// OpOr is true when at least one operand is true.
	OpOr
)

// Expr is a node of a parsed condition. Leaves (OpName) carry Name; OpNot has
// one operand in Args; OpAnd and OpOr have exactly two.
type Expr struct {
	Op   Op
	Name string
	Args []*Expr
}

// Names returns the dependency names the expression mentions, sorted, each once.
func (e *Expr) Names() []string {
	var names []string
	e.walk(func(n *Expr) {
		if n.Op == OpName {
			names = append(names, n.Name)
		}
	})
	slices.Sort(names)
	return slices.Compact(names)
}

func (e *Expr) walk(visit func(*Expr)) {
	visit(e)
	for _, a := range e.Args {
		a.walk(visit)
	}
}

// Eval evaluates the expression; satisfied reports whether the named dependency
// is satisfied. Operands are evaluated left to right and short-circuit.
func (e *Expr) Eval(satisfied func(name string) bool) bool {
	switch e.Op {
	case OpName:
		return satisfied(e.Name)
	case OpNot:
		return !e.Args[0].Eval(satisfied)
	case OpAnd:
		return e.Args[0].Eval(satisfied) && e.Args[1].Eval(satisfied)
	case OpOr:
		return e.Args[0].Eval(satisfied) || e.Args[1].Eval(satisfied)
	}
	return false
}

// String renders the expression with single spaces around binary operators
// and only the parentheses needed to keep its structure: parsing the result
// yields the same tree.
func (e *Expr) String() string {
	var b strings.Builder
	e.write(&b)
	return b.String()
}

// precedence orders node kinds from loosest (||) to tightest (a name).
func (e *Expr) precedence() int {
	switch e.Op {
	case OpOr:
		return 1
	case OpAnd:
		return 2
	case OpNot:
		return 3
	}
	return 4
}

func (e *Expr) write(b *strings.Builder) {
	switch e.Op {
	case OpName:
		b.WriteString(e.Name)
	case OpNot:
		b.WriteByte('!')
		writeOperand(b, e.Args[0], e.Args[0].precedence() < e.precedence())
	case OpAnd, OpOr:
		op := " && "
		if e.Op == OpOr {
			op = " || "
		}
		p := e.precedence()
		writeOperand(b, e.Args[0], e.Args[0].precedence() < p)
		b.WriteString(op)
		// Operators group to the left, so a right operand of the same
		// precedence needs parentheses to keep its place.
		writeOperand(b, e.Args[1], e.Args[1].precedence() <= p)
	}
}

func writeOperand(b *strings.Builder, e *Expr, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	e.write(b)
	if paren {
		b.WriteByte(')')
	}
}
