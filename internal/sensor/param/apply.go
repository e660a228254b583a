package param

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// Apply writes each parameter, in order, into the JSON document doc and
// returns the new document; doc itself is not modified. It compiles params
// and calls (*Compiled).Apply.
func Apply(doc []byte, params []v1alpha1.TriggerParameter, events map[string]*event.Event) ([]byte, error) {
	c, err := Compile(params)
	if err != nil {
		return nil, err
	}
	return c.Apply(doc, events)
}

// Payload builds a request body from params, as Argo's ConstructPayload does
// for the http, kafka, nats, ... payload fields. It compiles params and
// calls (*Compiled).Payload.
func Payload(params []v1alpha1.TriggerParameter, events map[string]*event.Event) ([]byte, error) {
	c, err := CompilePayload(params)
	if err != nil {
		return nil, err
	}
	return c.Payload(events)
}

// ApplyToObject rewrites a Kubernetes object with params, as Argo's
// ApplyResourceParameters does for the k8s and argoWorkflow triggers. It
// compiles params and calls (*Compiled).ApplyToObject.
func ApplyToObject(obj *unstructured.Unstructured, params []v1alpha1.TriggerParameter, events map[string]*event.Event) error {
	c, err := Compile(params)
	if err != nil {
		return err
	}
	return c.ApplyToObject(obj, events)
}

// ApplyToTemplate applies trigger-level parameters (spec.triggers[i].parameters)
// to a trigger template, as Argo's ApplyTemplateParameters does. It compiles
// params and calls (*Compiled).ApplyToTemplate.
func ApplyToTemplate(tmpl *v1alpha1.TriggerTemplate, params []v1alpha1.TriggerParameter, events map[string]*event.Event) (*v1alpha1.TriggerTemplate, error) {
	c, err := Compile(params)
	if err != nil {
		return nil, err
	}
	return c.ApplyToTemplate(tmpl, events)
}

// Apply writes each parameter, in order, into the JSON document doc (empty
// doc means a new one) and returns the new document; doc is not modified.
// Like Argo's ApplyParams:
//
//   - A parameter whose value is Skip (no event, no default) is left out.
//   - dest is an sjson path: dots separate keys, "\." is a dot inside a key,
//     a number indexes an array (missing elements are padded with null), and
//     "-1" appends to an array. Missing objects are created.
//   - overwrite (or no operation) replaces the value at dest.
//   - append and prepend, when dest exists, write the string
//     old+new or new+old, where old is the existing value as gjson prints it
//     (numbers and booleans as text, objects as JSON text, null as "") and
//     the result is always a string, even with useRawData. When dest does
//     not exist they write the value as overwrite does.
//   - The value is written raw (its JSON type kept) when Value.Raw, else as
//     a JSON string.
//
// Errors name the parameter: an unresolved value (ErrUnresolved, or
// ErrEventData), a path sjson refuses (ErrDest), or a doc that is not JSON
// (ErrInvalidDocument).
func (c *Compiled) Apply(doc []byte, events map[string]*event.Event) ([]byte, error) {
	if len(doc) > 0 && !json.Valid(doc) {
		return nil, ErrInvalidDocument
	}
	return c.apply(doc, events)
}

// each resolves the parameters in order and calls fn with each value that
// is not skipped; an error of either is the parameter's.
func (c *Compiled) each(events map[string]*event.Event, fn func(p *compiledParam, v Value) error) error {
	var cache renderCache
	for i := range c.params {
		p := &c.params[i]
		v, err := p.src.resolve(events, &cache)
		if err == nil && !v.Skip {
			err = fn(p, v)
		}
		if err != nil {
			return p.errorf(err)
		}
	}
	return nil
}

// apply is Apply for a doc known to be JSON.
func (c *Compiled) apply(doc []byte, events map[string]*event.Event) ([]byte, error) {
	err := c.each(events, func(p *compiledParam, v Value) error {
		text, raw := v.Text, v.Raw
		switch p.op {
		case v1alpha1.TriggerParameterOpAppend, v1alpha1.TriggerParameterOpPrepend:
			if cur := gjson.GetBytes(doc, p.dest); cur.Exists() {
				raw = false
				if p.op == v1alpha1.TriggerParameterOpAppend {
					text = cur.String() + text
				} else {
					text += cur.String()
				}
			}
		}
		var err error
		doc, err = set(doc, p.dest, text, raw)
		return err
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// Payload builds a JSON document from nothing with params, as Argo's
// ConstructPayload does: each value is written at its dest (overwrite; the
// operation field is ignored there, as in Argo). With no value written the
// payload is nil (an empty body). A first dest that is a number makes the
// payload an array, as sjson does. Herald departs from Argo v1.9 for a
// parameter whose dependency has no event and no default: it is left out,
// where Argo's sensor dereferences a nil value and panics.
//
// An empty dest (CompilePayload) makes the value the whole payload, as
// Argo's http trigger posts it: JSON text as it is (an object or array
// read without useRawData included, e.g. a webhook's body), any other
// string as a JSON string. Later parameters write into it.
func (c *Compiled) Payload(events map[string]*event.Event) ([]byte, error) {
	var payload []byte
	err := c.each(events, func(p *compiledParam, v Value) error {
		if p.dest == "" {
			payload = whole(v)
			return nil
		}
		var err error
		payload, err = set(payload, p.dest, v.Text, v.Raw)
		return err
	})
	if err != nil {
		return nil, err
	}
	return payload, nil
}

// Field is one parameter resolved alone: its dest and its value as text
// (JSON text for a raw value: a number, a boolean, an object...).
type Field struct {
	Dest string
	Text string
}

// Fields resolves each parameter on its own, for destinations that are not
// paths in a document (the names of an http trigger's dynamicHeaders). A
// parameter whose dependency has no event and no default is left out; the
// operation field does not apply.
func (c *Compiled) Fields(events map[string]*event.Event) ([]Field, error) {
	var out []Field
	err := c.each(events, func(p *compiledParam, v Value) error {
		out = append(out, Field{Dest: p.dest, Text: v.Text})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// whole is v as a whole JSON document.
func whole(v Value) []byte {
	t := strings.TrimSpace(v.Text)
	if v.Raw || (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
		return []byte(v.Text)
	}
	out, _ := json.Marshal(v.Text) // a string always encodes
	return out
}

// ApplyToObject rewrites obj in place, as Argo's ApplyResourceParameters
// does: the object is encoded as JSON (keys sorted), the parameters applied,
// and the result decoded back, so numbers come back as int64 when integral
// and float64 otherwise, and an object whose kind has been removed is an
// error. obj is unchanged when an error is returned. With no parameters
// nothing is done.
func (c *Compiled) ApplyToObject(obj *unstructured.Unstructured, events map[string]*event.Event) error {
	if len(c.params) == 0 {
		return nil
	}
	doc, err := obj.MarshalJSON()
	if err != nil {
		return fmt.Errorf("encoding object: %w", err)
	}
	out, err := c.ObjectFromJSON(doc, events)
	if err != nil {
		return err
	}
	obj.Object = out.Object
	return nil
}

// ObjectFromJSON is ApplyToObject for an object already encoded as JSON
// with sorted keys (as ApplyToObject encodes it): doc, which is not
// modified, gets the parameters and is decoded into a new object.
func (c *Compiled) ObjectFromJSON(doc []byte, events map[string]*event.Event) (*unstructured.Unstructured, error) {
	doc, err := c.apply(doc, events)
	if err != nil {
		return nil, err
	}
	out := &unstructured.Unstructured{}
	if err := out.UnmarshalJSON(doc); err != nil {
		return nil, fmt.Errorf("decoding object after parameters: %w", err)
	}
	return out, nil
}

// ApplyToTemplate returns tmpl rewritten by trigger-level parameters, as
// Argo's ApplyTemplateParameters does: the template is encoded as JSON
// (dest paths are relative to it, e.g. "k8s.operation" or
// "k8s.source.resource.metadata.name"), the parameters applied, and the
// result decoded into a new template. tmpl is not modified; with no
// parameters it is returned as it is.
func (c *Compiled) ApplyToTemplate(tmpl *v1alpha1.TriggerTemplate, events map[string]*event.Event) (*v1alpha1.TriggerTemplate, error) {
	if len(c.params) == 0 {
		return tmpl, nil
	}
	doc, err := json.Marshal(tmpl)
	if err != nil {
		return nil, fmt.Errorf("encoding trigger template: %w", err)
	}
	if doc, err = c.apply(doc, events); err != nil {
		return nil, err
	}
	out := &v1alpha1.TriggerTemplate{}
	if err := json.Unmarshal(doc, out); err != nil {
		return nil, fmt.Errorf("decoding trigger template after parameters: %w", typeError(err))
	}
	return out, nil
}

// typeError words a JSON type mismatch by the field's path in the
// document, the same whatever Go's version (encoding/json names the Go
// struct differently since Go 1.27); other errors are returned as they are.
func typeError(err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field == "" || te.Type == nil {
		return err
	}
	return fieldTypeError{te}
}

// fieldTypeError is a *json.UnmarshalTypeError worded by typeError.
type fieldTypeError struct{ *json.UnmarshalTypeError }

func (e fieldTypeError) Error() string {
	return fmt.Sprintf("%s: cannot use a JSON %s as a %s", e.Field, e.Value, e.Type)
}

func (e fieldTypeError) Unwrap() error { return e.UnmarshalTypeError }

func (p *compiledParam) errorf(err error) error {
	return fmt.Errorf("parameter %d (dest %q): %w", p.index, p.dest, err)
}

// set writes text at path, as JSON text when raw, else as a JSON string.
func set(doc []byte, path, text string, raw bool) ([]byte, error) {
	var out []byte
	var err error
	if raw {
		out, err = sjson.SetRawBytes(doc, path, []byte(text))
	} else {
		out, err = sjson.SetBytes(doc, path, text)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDest, err)
	}
	return out, nil
}
