package manifest

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	numberType          = reflect.TypeFor[json.Number]()
)

// checker walks a converted document together with the Go type it will be
// decoded into, reporting what encoding/json would reject (errors) or
// silently ignore (unknown fields), and recording the position of every
// field path on the way.
type checker struct {
	strict bool
	diags  Diagnostics
	pos    *Positions
	frames []frame // the structs enclosing the value being checked
}

// frame is one enclosing struct, for "did you mean" searches.
type frame struct {
	path   string
	fields *structFields
}

func (c *checker) report(sev Severity, line, column int, path, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{
		Line: line, Column: column, Path: path, Severity: sev,
		Message: fmt.Sprintf(format, args...),
	})
}

func (c *checker) errorf(v *value, path, format string, args ...any) {
	c.report(Error, v.line, v.column, path, format, args...)
}

// wrongType reports a value of the wrong JSON kind.
func (c *checker) wrongType(v *value, path, want string) {
	msg := "wrong type: want " + want + ", got " + describe(v)
	if v.kind == boolValue && want == "string" {
		if lower := strings.ToLower(v.text); lower != "true" && lower != "false" {
			msg += fmt.Sprintf(" (YAML 1.1 reads an unquoted %s as a boolean; quote it to make it a string)", v.text)
		}
	}
	c.errorf(v, path, "%s", msg)
}

// describe names a value in messages: "integer 12000", `string "abc"`.
func describe(v *value) string {
	switch v.kind {
	case boolValue, intValue, floatValue:
		return v.kind.String() + " " + v.text
	case stringValue:
		s, _ := v.str()
		if r := []rune(s); len(r) > 40 {
			s = string(r[:37]) + "..."
		}
		return "string " + strconv.Quote(s)
	}
	return v.kind.String()
}

// check checks v against Go type t. The rules follow encoding/json's decoder.
func (c *checker) check(v *value, t reflect.Type, path string) {
	if v.err != "" {
		c.errorf(v, path, "%s", v.err)
		return
	}
	if t.Kind() != reflect.Pointer && t.Name() != "" && c.custom(v, reflect.PointerTo(t), path) {
		return
	}
	for t.Kind() == reflect.Pointer {
		if v.kind == nullValue {
			return // null sets a pointer to nil
		}
		if c.custom(v, t, path) {
			return
		}
		t = t.Elem()
	}
	if v.kind == nullValue {
		return // null leaves any other value as it is
	}
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() != 0 {
			c.errorf(v, path, "cannot decode %s into Go interface type %s", v.kind, t)
			return
		}
		c.walk(v, path)
	case reflect.Struct:
		if v.kind != objectValue {
			c.wrongType(v, path, "object")
			return
		}
		c.object(v, t, path)
	case reflect.Map:
		if v.kind != objectValue {
			c.wrongType(v, path, "object")
			return
		}
		c.mapping(v, t, path)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && v.kind == stringValue {
			s, _ := v.str()
			if _, err := base64.StdEncoding.DecodeString(s); err != nil {
				c.errorf(v, path, "invalid value: want a base64 string, got %s", describe(v))
			}
			return
		}
		c.list(v, t, path, -1)
	case reflect.Array:
		c.list(v, t, path, t.Len())
	case reflect.String:
		c.text(v, t, path)
	case reflect.Bool:
		if v.kind != boolValue {
			c.wrongType(v, path, "boolean")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		c.number(v, t, path)
	default:
		c.errorf(v, path, "cannot decode %s into Go type %s", v.kind, t)
	}
}

// custom handles pointer type p when it implements json.Unmarshaler or
// encoding.TextUnmarshaler: such types decide themselves what they accept,
// so the subtree is converted to JSON and handed to a fresh value.
func (c *checker) custom(v *value, p reflect.Type, path string) bool {
	if p.NumMethod() == 0 {
		return false
	}
	name := p.Elem().Name()
	if name == "" {
		name = p.Elem().String()
	}
	switch {
	case p.Implements(unmarshalerType):
		before := len(c.diags)
		c.walk(v, path)
		if len(c.diags) > before {
			return true
		}
		data, err := json.Marshal(v.toAny())
		if err != nil {
			c.errorf(v, path, "converting to JSON: %s", err)
			return true
		}
		u, _ := reflect.New(p.Elem()).Interface().(json.Unmarshaler)
		if err := callSafely(func() error { return u.UnmarshalJSON(data) }); err != nil {
			c.customError(v, path, name, err)
		}
		return true
	case v.kind != nullValue && p.Implements(textUnmarshalerType):
		if v.kind != stringValue {
			c.wrongType(v, path, "string")
			return true
		}
		s, _ := v.str()
		u, _ := reflect.New(p.Elem()).Interface().(encoding.TextUnmarshaler)
		if err := callSafely(func() error { return u.UnmarshalText([]byte(s)) }); err != nil {
			c.customError(v, path, name, err)
		}
		return true
	}
	return false
}

func (c *checker) customError(v *value, path, typeName string, err error) {
	if _, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		c.wrongType(v, path, typeName)
		return
	}
	c.errorf(v, path, "invalid %s: %s", typeName, strings.TrimPrefix(err.Error(), "json: "))
}

// callSafely runs a type's own decoding method, turning a panic into an
// error so that a bad manifest cannot crash the loader.
func callSafely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decoder panicked: %v", r)
		}
	}()
	return f()
}

// object checks the members of a JSON object against struct type t.
func (c *checker) object(v *value, t reflect.Type, path string) {
	fs := fieldsOf(t)
	c.frames = append(c.frames, frame{path: path, fields: fs})
	defer func() { c.frames = c.frames[:len(c.frames)-1] }()
	for _, m := range v.members {
		kp := memberPath(path, m, childPath)
		if !c.memberOK(m, kp) {
			continue
		}
		f, ok := fs.lookup(m.key)
		if !ok && path == "" && (m.key == "apiVersion" || m.key == "kind") {
			continue // already used to pick the kind
		}
		if !ok {
			c.unknownField(m, path)
			c.walk(m.value, kp)
			continue
		}
		if f.name != m.key {
			c.caseMismatch(m, path, f.name)
			kp = childPath(path, f.name)
			c.pos.set(kp, m.line, m.column)
		}
		if f.quoted {
			c.quoted(m.value, f.typ, kp)
			continue
		}
		c.check(m.value, f.typ, kp)
	}
}

// memberOK records the position of a member and reports problems with its
// key. It returns false when the member's value should not be checked.
func (c *checker) memberOK(m member, path string) bool {
	if m.err != "" {
		c.report(Error, m.line, m.column, path, "%s", m.err)
		return false
	}
	c.pos.set(path, m.line, m.column)
	if m.firstLine > 0 {
		c.report(Error, m.line, m.column, path, "duplicate key %q: already set at line %d", m.key, m.firstLine)
	}
	return !m.shadowed
}

// quoted checks a field with the ",string" option by letting encoding/json
// decode it into a one-field struct with the same tag.
func (c *checker) quoted(v *value, t reflect.Type, path string) {
	if v.err != "" {
		c.errorf(v, path, "%s", v.err)
		return
	}
	if a := v.toAny(); a != nil {
		if _, isString := a.(string); !isString {
			// encoding/json's own text for this names its internals.
			c.errorf(v, path, "invalid value: want %s written as a string (the field has the ,string option), got %s", t, describe(v))
			return
		}
	}
	st := reflect.StructOf([]reflect.StructField{{Name: "V", Type: t, Tag: `json:"v,string"`}})
	data, err := json.Marshal(map[string]any{"v": v.toAny()})
	if err == nil {
		err = json.Unmarshal(data, reflect.New(st).Interface())
	}
	if err != nil {
		c.errorf(v, path, "invalid value: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

// mapping checks a JSON object against map type t.
func (c *checker) mapping(v *value, t reflect.Type, path string) {
	kt := t.Key()
	textKey := reflect.PointerTo(kt).Implements(textUnmarshalerType)
	switch {
	case textKey, kt.Kind() == reflect.String:
	case isInt(kt.Kind()), isUint(kt.Kind()):
	default:
		c.errorf(v, path, "cannot decode an object into Go type %s", t)
		return
	}
	for _, m := range v.members {
		kp := memberPath(path, m, keyPath)
		if !c.memberOK(m, kp) {
			continue
		}
		switch {
		case textKey:
			u, _ := reflect.New(kt).Interface().(encoding.TextUnmarshaler)
			if err := callSafely(func() error { return u.UnmarshalText([]byte(m.key)) }); err != nil {
				c.report(Error, m.line, m.column, kp, "invalid key %q: %s", m.key, err)
				continue
			}
		case isInt(kt.Kind()):
			if _, err := strconv.ParseInt(m.key, 10, kt.Bits()); err != nil {
				c.report(Error, m.line, m.column, kp, "invalid key %q: want an integer that fits %s", m.key, kt)
				continue
			}
		case isUint(kt.Kind()):
			if _, err := strconv.ParseUint(m.key, 10, kt.Bits()); err != nil {
				c.report(Error, m.line, m.column, kp, "invalid key %q: want an integer that fits %s", m.key, kt)
				continue
			}
		}
		c.check(m.value, t.Elem(), kp)
	}
}

// list checks a JSON list against a slice (size < 0) or array type.
func (c *checker) list(v *value, t reflect.Type, path string, size int) {
	if v.kind != listValue {
		want := "list"
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			want = "list or base64 string"
		}
		c.wrongType(v, path, want)
		return
	}
	for i, item := range v.items {
		ip := indexPath(path, i)
		c.pos.set(ip, item.line, item.column)
		if size >= 0 && i >= size {
			c.report(Warning, item.line, item.column, ip, "extra item ignored: the list holds at most %d", size)
			c.walk(item, ip)
			continue
		}
		c.check(item, t.Elem(), ip)
	}
}

// text checks a value for a string-kind type.
func (c *checker) text(v *value, t reflect.Type, path string) {
	if t == numberType {
		switch v.kind {
		case intValue, floatValue:
		case stringValue:
			s, _ := v.str()
			var n json.Number
			if json.Unmarshal([]byte(strconv.Quote(s)), &n) != nil {
				c.errorf(v, path, "invalid value: %s is not a number", describe(v))
			}
		default:
			c.wrongType(v, path, "number")
		}
		return
	}
	if v.kind != stringValue {
		c.wrongType(v, path, "string")
	}
}

// number checks a value for an integer or floating-point type, with the
// same parsing encoding/json applies to the JSON text of the number.
func (c *checker) number(v *value, t reflect.Type, path string) {
	k := t.Kind()
	want := "integer"
	if k == reflect.Float32 || k == reflect.Float64 {
		want = "number"
	}
	if v.kind != intValue && v.kind != floatValue {
		c.wrongType(v, path, want)
		return
	}
	lit := numberLiteral(v.scalar)
	var err error
	switch {
	case isInt(k):
		_, err = strconv.ParseInt(lit, 10, t.Bits())
	case isUint(k):
		_, err = strconv.ParseUint(lit, 10, t.Bits())
	default:
		_, err = strconv.ParseFloat(lit, t.Bits())
	}
	if err == nil {
		return
	}
	if want == "integer" && strings.ContainsAny(lit, ".eE") {
		c.wrongType(v, path, want)
		return
	}
	c.errorf(v, path, "%s out of range for %s", describe(v), t.Kind())
}

// numberLiteral returns the JSON text of a number, as json.Marshal writes it.
func numberLiteral(n any) string {
	switch n := n.(type) {
	case int64:
		return strconv.FormatInt(n, 10)
	case uint64:
		return strconv.FormatUint(n, 10)
	}
	data, _ := json.Marshal(n)
	return string(data)
}

func isInt(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Int64
}

func isUint(k reflect.Kind) bool {
	return k >= reflect.Uint && k <= reflect.Uintptr
}

// walk visits a value that has no Go type to check against (an interface{}
// field, an unknown field, a custom type's content): it records positions
// and reports what has no JSON form and duplicate keys.
func (c *checker) walk(v *value, path string) {
	if v.err != "" {
		c.errorf(v, path, "%s", v.err)
	}
	switch v.kind {
	case objectValue:
		for _, m := range v.members {
			kp := memberPath(path, m, childPath)
			if c.memberOK(m, kp) {
				c.walk(m.value, kp)
			}
		}
	case listValue:
		for i, item := range v.items {
			ip := indexPath(path, i)
			c.pos.set(ip, item.line, item.column)
			c.walk(item, ip)
		}
	}
}

// childPath, indexPath and keyPath build paths the way field.Path's String
// method prints them: "spec.triggers[0]", "spec.webhook[example]".
func childPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// memberPath returns the path of an object member, or the object's own path
// for a key that has no JSON form.
func memberPath(path string, m member, join func(string, string) string) string {
	if m.err != "" && m.key == "" {
		return path
	}
	return join(path, m.key)
}

func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

func keyPath(path, key string) string {
	return path + "[" + key + "]"
}
