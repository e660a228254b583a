package param

import (
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// source is a TriggerParameterSource prepared for resolution: Argo's choice
// between the data and the context part made once, templates parsed.
type source struct {
	src *v1alpha1.TriggerParameterSource
	// part is what key and tmpl read: partData, partContext or partNone
	// (the source names no key and no template).
	part part
	key  string
	tmpl *paramTemplate // nil when the chosen part has no template
	// expr is the compiled expression; when set, part, key and tmpl are
	// unused (expression excludes the other source fields).
	expr *paramExpression
}

type part uint8

const (
	partNone part = iota
	partData
	partContext
)

// newSource picks the part as Argo does: the data part wins as soon as
// dataKey or dataTemplate is set, and then both the context key and the
// context template are ignored, even when only one data field is set. A
// source with an expression is prepared by newExpressionSource; only it can
// fail (ErrInvalidParameter).
func newSource(src *v1alpha1.TriggerParameterSource) (*source, error) {
	if src.Expression != "" {
		return newExpressionSource(src)
	}
	s := &source{src: src}
	var tmpl string
	switch {
	case src.DataKey != "" || src.DataTemplate != "":
		s.part, s.key, tmpl = partData, src.DataKey, src.DataTemplate
	case src.ContextKey != "" || src.ContextTemplate != "":
		s.part, s.key, tmpl = partContext, src.ContextKey, src.ContextTemplate
	}
	if tmpl != "" {
		s.tmpl = compileTemplate(tmpl)
	}
	return s, nil
}

// Resolve computes the value of one parameter source from the events of the
// trigger's dependencies (keyed by dependency name), following Argo v1.9
// (ResolveParamValue):
//
//   - No event for the dependency: the default value if set, else a Value
//     with Skip set (not an error: "||" conditions leave dependencies out).
//   - No key and no template: the default value if set, else the whole event
//     as Argo encodes it ({"context":{...},"data":"<base64>"}), as a string.
//   - dataKey/dataTemplate read the event data (JSON, or YAML converted to
//     JSON); contextKey/contextTemplate read the context document
//     {"id","source","specversion","type","datacontenttype","subject","time"}.
//     If any data field is set, the context fields are ignored.
//   - The template runs first, with the document decoded as .Input; an
//     error, an empty result or "<no value>" falls through to the key.
//   - The key is a gjson path. Strings come back unquoted; numbers as gjson
//     prints them (1.50 gives "1.5", 1e3 gives "1000"); booleans as
//     true/false; objects and arrays as their JSON text; null as "".
//   - Nothing found: the default value if set, else ErrUnresolved. Data that
//     is not valid JSON (or YAML, or of another media type) gives the
//     default if set, else ErrEventData.
//
// Templates and defaults are always strings, even with useRawData. With
// useRawData a key's number, boolean, null, object or array is marked Raw.
//
// expression (a Herald extension, see expression.go) is a jq program over
// the event data and cannot be combined with the key and template fields
// (ErrInvalidParameter). Its first output is the value: a string is a
// string, a number, boolean, object or array is Raw whatever useRawData
// says. No output, null, a runtime error or a run past its limits gives
// the default value if set, else ErrUnresolved.
// Herald departs from Argo v1.9 in one case: a raw null is the JSON null,
// where Argo writes an empty raw value and so invalid JSON (fixed in later
// Argo).
func Resolve(src *v1alpha1.TriggerParameterSource, events map[string]*event.Event) (Value, error) {
	if src == nil {
		return Value{}, fmt.Errorf("%w: no src", ErrInvalidParameter)
	}
	s, err := newSource(src)
	if err != nil {
		return Value{}, err
	}
	return s.resolve(events, nil)
}

func defaultValue(v string) Value {
	return Value{Text: v, Type: TypeString, From: FromDefault}
}

func (s *source) resolve(events map[string]*event.Event, cache *renderCache) (Value, error) {
	src := s.src
	ev := events[src.DependencyName]
	if ev == nil {
		if src.Value != nil {
			return defaultValue(*src.Value), nil
		}
		return Value{Skip: true}, nil
	}
	if s.expr != nil {
		return s.resolveExpression(ev, cache)
	}
	if s.part == partNone {
		if src.Value != nil {
			return defaultValue(*src.Value), nil
		}
		return Value{Text: string(eventJSON(ev)), Type: TypeString, From: FromEvent}, nil
	}

	var doc []byte
	if s.part == partContext {
		doc = cache.context(ev)
	} else {
		var err error
		if doc, err = cache.data(ev); err != nil {
			if src.Value != nil {
				return defaultValue(*src.Value), nil
			}
			return Value{}, fmt.Errorf("reading event of dependency %q: %w", src.DependencyName, err)
		}
	}

	var tmplErr error
	if s.tmpl != nil {
		out, err := s.tmpl.execute(doc)
		if err == nil {
			from := FromDataTemplate
			if s.part == partContext {
				from = FromContextTemplate
			}
			return Value{Text: out, Type: TypeString, From: from}, nil
		}
		tmplErr = err
	}
	if s.key != "" {
		if res := gjson.GetBytes(doc, s.key); res.Exists() {
			return s.fromResult(res), nil
		}
	}
	if src.Value != nil {
		return defaultValue(*src.Value), nil
	}
	return Value{}, s.unresolved(tmplErr)
}

// fromResult turns a gjson result into a Value.
func (s *source) fromResult(res gjson.Result) Value {
	v := Value{From: FromDataKey}
	if s.part == partContext {
		v.From = FromContextKey
	}
	switch res.Type {
	case gjson.JSON:
		v.Type, v.Text = TypeJSON, res.Raw
	case gjson.Null:
		v.Type = TypeNull
	case gjson.Number:
		v.Type, v.Text = TypeNumber, res.String()
	case gjson.True:
		v.Type, v.Text = TypeTrue, "true"
	case gjson.False:
		v.Type, v.Text = TypeFalse, "false"
	default:
		v.Type, v.Text = TypeString, res.String()
	}
	v.Raw = s.src.UseRawData && v.Type != TypeString
	if v.Raw {
		switch v.Type {
		case TypeNull:
			v.Text = "null"
		case TypeNumber:
			// gjson prints numbers past float64's range as +Inf or -Inf,
			// which is not JSON: keep the number as written.
			if v.Text == "+Inf" || v.Text == "-Inf" {
				v.Text = res.Raw
			}
		}
	}
	return v
}

func (s *source) unresolved(tmplErr error) error {
	what := "dataKey"
	if s.part == partContext {
		what = "contextKey"
	}
	switch {
	case s.key != "" && tmplErr != nil:
		return fmt.Errorf("%w in event of dependency %q: %s %q not found and template failed (%w), and no default value",
			ErrUnresolved, s.src.DependencyName, what, s.key, tmplErr)
	case s.key != "":
		return fmt.Errorf("%w in event of dependency %q: %s %q not found and no default value",
			ErrUnresolved, s.src.DependencyName, what, s.key)
	default:
		return fmt.Errorf("%w in event of dependency %q: template failed (%w) and no default value",
			ErrUnresolved, s.src.DependencyName, tmplErr)
	}
}

// renderCache keeps, for one Apply or Payload call, the documents rendered
// from each event, so that several parameters reading the same event check
// and convert its data once. A nil cache renders every time.
type renderCache struct {
	entries []renderEntry
}

type renderEntry struct {
	ev         *event.Event
	data, ctx  []byte
	dataErr    error
	hasData    bool
	hasContext bool
}

func (c *renderCache) entry(ev *event.Event) *renderEntry {
	for i := range c.entries {
		if c.entries[i].ev == ev {
			return &c.entries[i]
		}
	}
	c.entries = append(c.entries, renderEntry{ev: ev})
	return &c.entries[len(c.entries)-1]
}

func (c *renderCache) data(ev *event.Event) ([]byte, error) {
	if c == nil {
		return dataJSON(ev)
	}
	e := c.entry(ev)
	if !e.hasData {
		e.data, e.dataErr = dataJSON(ev)
		e.hasData = true
	}
	return e.data, e.dataErr
}

func (c *renderCache) context(ev *event.Event) []byte {
	if c == nil {
		return contextJSON(ev)
	}
	e := c.entry(ev)
	if !e.hasContext {
		e.ctx = contextJSON(ev)
		e.hasContext = true
	}
	return e.ctx
}
