package param

import (
	"errors"
	"fmt"
	"sync"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/tidwall/gjson"
)

// MaxTemplateOutput is the most text a dataTemplate or contextTemplate may
// produce; more is an error (ErrTemplateLimit), and the parameter falls back
// to its key or default as after any template error. Argo has no limit.
const MaxTemplateOutput = 1 << 20

// Further limits on one template execution. Argo has none; these only stop
// runaway templates (loops over huge ranges, recursion through define,
// values doubled in a loop).
const (
	maxTemplateValue = 8 << 20         // bytes of any value a guarded function takes or builds
	maxTemplateSteps = 1 << 20         // range iterations + template calls + guarded calls
	maxTemplateDepth = 1000            // nested template calls (text/template allows 100000)
	maxTemplateTime  = 2 * time.Second // wall time, checked at each step
)

// Functions inserted into parsed templates to count steps: stepFunc at the
// top of every range body, enterFunc and leaveFunc around every template
// body (a failed call ends the whole execution, so they stay balanced).
// Their names cannot clash with sprig's.
const (
	stepFunc  = "heraldStep__"
	enterFunc = "heraldEnter__"
	leaveFunc = "heraldLeave__"
)

// paramTemplate is one parsed dataTemplate or contextTemplate. The parsed
// template is never executed: each runner executes its own clone, whose
// guarded functions are bound to the runner's budget.
type paramTemplate struct {
	parsed   *template.Template
	parseErr error
	runners  sync.Pool
}

// templateRunner is a clone of a paramTemplate with its own budget and
// output buffer; a runner is used by one execution at a time.
type templateRunner struct {
	tmpl *template.Template
	b    budget
	out  limitedBuffer
}

// compileTemplate parses text as Argo does (template name "param", sprig
// functions). A parse error is kept, not returned: Argo parses at each event
// and falls back to the key or default when parsing fails.
func compileTemplate(text string) *paramTemplate {
	t := &paramTemplate{}
	parsed, err := template.New("param").Funcs(baseFuncs).Parse(text)
	if err == nil {
		err = insertSteps(parsed)
	}
	if err != nil {
		t.parseErr = fmt.Errorf("parsing template: %w", err)
		return t
	}
	t.parsed = parsed
	return t
}

// insertSteps puts the step counters into every template body and every
// range body, so that loops and recursion count against the budget.
func insertSteps(t *template.Template) error {
	probe, err := template.New("limits").Funcs(baseFuncs).Parse("{{" + stepFunc + "}}{{" + enterFunc + "}}{{" + leaveFunc + "}}")
	if err != nil {
		return err
	}
	nodes := probe.Root.Nodes
	step, ok1 := nodes[0].(*parse.ActionNode)
	enter, ok2 := nodes[1].(*parse.ActionNode)
	leave, ok3 := nodes[2].(*parse.ActionNode)
	if !ok1 || !ok2 || !ok3 {
		return errors.New("building the step counters")
	}
	for _, tt := range t.Templates() {
		if tt.Tree == nil || tt.Root == nil {
			continue
		}
		root := tt.Root
		insertInList(root, step)
		body := make([]parse.Node, 0, len(root.Nodes)+2)
		body = append(body, enter.Copy())
		body = append(body, root.Nodes...)
		root.Nodes = append(body, leave.Copy())
	}
	return nil
}

func insertInList(list *parse.ListNode, step *parse.ActionNode) {
	if list == nil {
		return
	}
	for _, n := range list.Nodes {
		switch n := n.(type) {
		case *parse.RangeNode:
			insertInList(n.List, step)
			insertInList(n.ElseList, step)
			if n.List != nil {
				n.List.Nodes = append([]parse.Node{step.Copy()}, n.List.Nodes...)
			}
		case *parse.IfNode:
			insertInList(n.List, step)
			insertInList(n.ElseList, step)
		case *parse.WithNode:
			insertInList(n.List, step)
			insertInList(n.ElseList, step)
		}
	}
}

func (t *paramTemplate) runner() (*templateRunner, error) {
	if r, ok := t.runners.Get().(*templateRunner); ok {
		return r, nil
	}
	clone, err := t.parsed.Clone()
	if err != nil {
		return nil, fmt.Errorf("preparing template: %w", err)
	}
	r := &templateRunner{tmpl: clone}
	clone.Funcs(boundFuncs(&r.b))
	return r, nil
}

// execute runs the template over the JSON document payload, which it sees
// as .Input (decoded by gjson: objects are map[string]any, numbers float64).
// Like Argo, an empty result or exactly "<no value>" is an error.
func (t *paramTemplate) execute(payload []byte) (string, error) {
	if t.parseErr != nil {
		return "", t.parseErr
	}
	r, err := t.runner()
	if err != nil {
		return "", err
	}
	r.b.reset()
	r.out.buf = r.out.buf[:0]
	err = run(r.tmpl, &r.out, map[string]any{"Input": gjson.ParseBytes(payload).Value()})
	out := string(r.out.buf)
	if cap(r.out.buf) > 64<<10 {
		r.out.buf = nil // do not keep large buffers in the pool
	}
	t.runners.Put(r)
	if err != nil {
		return "", fmt.Errorf("executing template: %w", err)
	}
	if out == "" || out == "<no value>" {
		return "", errors.New("template produced an empty string or <no value>")
	}
	return out, nil
}

// run executes tmpl, turning a panic of the template engine into an error.
func run(tmpl *template.Template, w *limitedBuffer, data any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if e, ok := p.(error); ok {
				err = fmt.Errorf("template panicked: %w", e)
				return
			}
			err = fmt.Errorf("template panicked: %v", p)
		}
	}()
	return tmpl.Execute(w, data)
}

// budget counts the steps and the template depth of one execution and
// enforces the time limit.
type budget struct {
	steps, depth int
	deadline     time.Time
}

// templateTime is maxTemplateTime; tests that must not depend on the speed
// of the machine raise it.
var templateTime = maxTemplateTime

func (b *budget) reset() {
	b.steps, b.depth = 0, 0
	b.deadline = time.Now().Add(templateTime)
}

func (b *budget) step() error {
	b.steps++
	if b.steps > maxTemplateSteps {
		return fmt.Errorf("%w: more than %d steps", ErrTemplateLimit, maxTemplateSteps)
	}
	if b.steps%256 == 0 {
		return b.clock()
	}
	return nil
}

func (b *budget) clock() error {
	if time.Now().After(b.deadline) {
		return fmt.Errorf("%w: ran for more than %s", ErrTemplateLimit, templateTime)
	}
	return nil
}

// tick is the function bound to stepFunc.
func (b *budget) tick() (string, error) {
	return "", b.step()
}

// enter is the function bound to enterFunc.
func (b *budget) enter() (string, error) {
	b.depth++
	if b.depth > maxTemplateDepth {
		return "", fmt.Errorf("%w: templates nested more than %d deep", ErrTemplateLimit, maxTemplateDepth)
	}
	return "", b.step()
}

// leave is the function bound to leaveFunc.
func (b *budget) leave() string {
	b.depth--
	return ""
}

// limitedBuffer collects template output up to MaxTemplateOutput.
type limitedBuffer struct {
	buf []byte
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if len(l.buf)+len(p) > MaxTemplateOutput {
		return 0, fmt.Errorf("%w: output over %d bytes", ErrTemplateLimit, MaxTemplateOutput)
	}
	l.buf = append(l.buf, p...)
	return len(p), nil
}
