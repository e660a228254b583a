package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// apiPkg is the package path of the manifest types.
var apiPkg = reflect.TypeFor[v1alpha1.EventSource]().PkgPath()

// field is one manifest field of a type, as a row of a reference table.
type field struct {
	name     string // JSON name
	typ      string // Markdown, e.g. "list of [TriggerParameter](#triggerparameter)"
	doc      string
	required bool
	// nested is the api type the field holds (for its own section), nil
	// for scalars and types from other packages.
	nested reflect.Type
	// unsupported is set when Herald does not run what the field selects.
	unsupported string
}

// fieldsOf lists the JSON fields of struct t in declaration order, with the
// fields of inline embedded structs in place. Fields Herald does not support
// (see unsupportedField) are listed with a note, their type not expanded.
func (g *generator) fieldsOf(t reflect.Type) []field {
	var out []field
	td := g.docs.types[t.Name()]
	for i := range t.NumField() {
		sf := t.Field(i)
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" || !sf.IsExported() {
			continue
		}
		if name == "" && (sf.Anonymous || strings.Contains(opts, "inline")) {
			ft := deref(sf.Type)
			if ft.Kind() == reflect.Struct && ft.PkgPath() == apiPkg {
				out = append(out, g.fieldsOf(ft)...)
			}
			continue
		}
		if name == "" {
			name = sf.Name
		}
		var fd fieldDoc
		if td != nil {
			fd = td.fields[sf.Name]
		}
		f := field{name: name, doc: fd.doc, required: !fd.optional && !strings.Contains(opts, "omitempty")}
		f.typ, f.nested = g.typeName(sf.Type)
		if note := g.unsupportedField(t, name); note != "" {
			f.unsupported, f.nested = note, nil
			f.typ = link.ReplaceAllString(f.typ, "`$1`")
		}
		out = append(out, f)
	}
	return out
}

// typeName renders t for a table cell and returns the api struct type it
// holds, if any.
func (g *generator) typeName(t reflect.Type) (string, reflect.Type) {
	switch t.Kind() {
	case reflect.Pointer:
		return g.typeName(t.Elem())
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "bytes (base64)", nil
		}
		s, n := g.typeName(t.Elem())
		return "list of " + s, n
	case reflect.Map:
		s, n := g.typeName(t.Elem())
		k, _ := g.typeName(t.Key())
		return fmt.Sprintf("map of %s to %s", k, s), n
	case reflect.Struct:
		if t.PkgPath() == apiPkg {
			if customJSON(t) && g.docs.types[t.Name()] == nil {
				return "`" + t.Name() + "`", nil
			}
			return fmt.Sprintf("[%s](#%s)", t.Name(), strings.ToLower(t.Name())), t
		}
		return "`" + qualified(t) + "`", nil
	case reflect.Interface:
		return "any JSON value", nil
	}
	base := basicName(t.Kind())
	if t.PkgPath() == apiPkg && t.Name() != "" {
		values := slices.DeleteFunc(slices.Clone(g.docs.enums[t.Name()]), func(v string) bool { return v == "" })
		if len(values) > 0 {
			return fmt.Sprintf("%s (one of %s)", base, "`"+strings.Join(values, "`, `")+"`"), nil
		}
	}
	return base, nil
}

// basicName is the JSON-ish name of a Go basic kind.
func basicName(k reflect.Kind) string {
	switch k {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	default:
		return k.String()
	}
}

// qualified names a type from another package with the alias Herald's code
// uses for it, e.g. corev1.SecretKeySelector.
func qualified(t reflect.Type) string {
	aliases := map[string]string{
		"k8s.io/api/core/v1":                   "corev1",
		"k8s.io/apimachinery/pkg/apis/meta/v1": "metav1",
		"k8s.io/apimachinery/pkg/types":        "k8stypes",
	}
	pkg := t.PkgPath()
	if a, ok := aliases[pkg]; ok {
		pkg = a
	} else if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	return pkg + "." + t.Name()
}

// link matches a Markdown link to a type's section.
var link = regexp.MustCompile(`\[(\w+)\]\(#\w+\)`)

// customJSON reports whether t decodes itself from JSON, so that its Go
// fields say nothing about its manifest form (K8SResource, Amount, ...).
func customJSON(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]())
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// unsupportedField says why a field of t is not supported by Herald, or "".
// Today that is the artifact locations a k8s trigger cannot read.
func (g *generator) unsupportedField(t reflect.Type, jsonName string) string {
	if t != reflect.TypeFor[v1alpha1.ArtifactLocation]() {
		return ""
	}
	if g.support.ArtifactLocations[jsonName] {
		return ""
	}
	return "Not supported by Herald: lint reports it as unsupported."
}
