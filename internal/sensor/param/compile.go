package param

import (
	"fmt"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// Compiled is a parameter list prepared once and applied to many events:
// templates are parsed and the source fields sorted out ahead of time. It is
// safe for concurrent use.
type Compiled struct {
	params []compiledParam
}

type compiledParam struct {
	index int
	dest  string
	op    v1alpha1.TriggerParameterOperation
	src   *source
}

// Compile checks and prepares params. It rejects what Argo's admission
// validation rejects (no src, no dependencyName, no dest, an operation other
// than append, overwrite or prepend), with ErrInvalidParameter, and so are
// an expression that does not compile or is combined with a key or a
// template (Herald's extension, which Argo rejects as a whole). A template
// that does not parse is not an error here: as in Argo, the parameter falls
// back to its key or default at each event; Warnings lists it.
func Compile(params []v1alpha1.TriggerParameter) (*Compiled, error) {
	return compile(params, false)
}

// CompilePayload is Compile for the parameters of a payload (the http
// trigger's payload field): there an empty dest is allowed, and names the
// whole payload (see Payload).
func CompilePayload(params []v1alpha1.TriggerParameter) (*Compiled, error) {
	return compile(params, true)
}

func compile(params []v1alpha1.TriggerParameter, destOptional bool) (*Compiled, error) {
	c := &Compiled{params: make([]compiledParam, len(params))}
	for i := range params {
		p := &params[i]
		if err := checkParam(p, destOptional); err != nil {
			return nil, fmt.Errorf("parameter %d: %w", i, err)
		}
		src, err := newSource(p.Src)
		if err != nil {
			return nil, fmt.Errorf("parameter %d: %w", i, err)
		}
		c.params[i] = compiledParam{index: i, dest: p.Dest, op: p.Operation, src: src}
	}
	return c, nil
}

func checkParam(p *v1alpha1.TriggerParameter, destOptional bool) error {
	switch {
	case p.Src == nil:
		return fmt.Errorf("%w: no src", ErrInvalidParameter)
	case p.Src.DependencyName == "":
		return fmt.Errorf("%w: no src.dependencyName", ErrInvalidParameter)
	case p.Dest == "" && !destOptional:
		return fmt.Errorf("%w: no dest", ErrInvalidParameter)
	}
	switch p.Operation {
	case v1alpha1.TriggerParameterOpNone, v1alpha1.TriggerParameterOpOverwrite,
		v1alpha1.TriggerParameterOpAppend, v1alpha1.TriggerParameterOpPrepend:
		return nil
	}
	return fmt.Errorf("%w: operation %q (want append, overwrite or prepend)", ErrInvalidParameter, p.Operation)
}

// Len is the number of parameters.
func (c *Compiled) Len() int { return len(c.params) }

// Warnings lists what will not behave as the author probably meant, though
// Argo accepts it: templates that do not parse (they always fall back to
// the key or default) and dests that sjson ignores (see CheckDest). Meant
// for lint.
func (c *Compiled) Warnings() []error {
	var out []error
	for _, p := range c.params {
		if t := p.src.tmpl; t != nil && t.parseErr != nil {
			out = append(out, fmt.Errorf("parameter %d: template never runs: %w", p.index, t.parseErr))
		}
		if err := CheckDest(p.dest); err != nil {
			out = append(out, fmt.Errorf("parameter %d: %w", p.index, err))
		}
	}
	return out
}

// Writes reports whether a parameter writes at path or at a path inside it
// or above it (both sjson paths). A trigger uses it to find out whether its
// trigger-level parameters can change its kind's own parameters
// (Writes("k8s.parameters")), which must then be compiled again for each
// event instead of once.
func (c *Compiled) Writes(path string) bool {
	want := splitPath(path)
	for _, p := range c.params {
		got := splitPath(p.dest)
		n := min(len(got), len(want))
		same := true
		for i := 0; i < n; i++ {
			if got[i] != want[i] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}
