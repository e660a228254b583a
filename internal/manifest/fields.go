package manifest

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// jsonField is one field of a struct as encoding/json sees it: its JSON
// name and its Go type, with embedded structs already flattened.
type jsonField struct {
	name   string
	typ    reflect.Type
	index  []int
	tagged bool // the name comes from a json tag
	quoted bool // the ",string" option applies
}

// structFields is the field set of one struct type.
type structFields struct {
	list   []jsonField
	byName map[string]int
}

// fieldCache holds the field set of each struct type seen.
var fieldCache sync.Map // reflect.Type -> *structFields

// fieldsOf returns the JSON fields of struct type t, computed with the same
// rules as encoding/json: exported fields only, names from json tags, "-"
// skipped, untagged embedded structs (such as metav1.TypeMeta with
// `json:",inline"`) flattened, and a shallower or tagged field winning over a
// deeper or untagged one of the same name.
func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	fs := &structFields{list: collectFields(t), byName: map[string]int{}}
	for i, f := range fs.list {
		fs.byName[f.name] = i
	}
	f, _ := fieldCache.LoadOrStore(t, fs)
	return f.(*structFields)
}

// lookup finds the field a JSON key sets: the exact name first, then the
// first field whose name matches ignoring case, as encoding/json does.
func (fs *structFields) lookup(key string) (jsonField, bool) {
	if i, ok := fs.byName[key]; ok {
		return fs.list[i], true
	}
	for _, f := range fs.list {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return jsonField{}, false
}

// names returns the JSON names of the fields, in declaration order.
func (fs *structFields) names() []string {
	out := make([]string, len(fs.list))
	for i, f := range fs.list {
		out[i] = f.name
	}
	return out
}

func collectFields(t reflect.Type) []jsonField {
	type embedded struct {
		typ   reflect.Type
		index []int
	}
	var found []jsonField
	next := []embedded{{typ: t}}
	visited := map[reflect.Type]bool{}
	for len(next) > 0 {
		level := next
		next = nil
		// A type embedded twice at one level makes all its fields
		// ambiguous; counting the occurrences lets us add them twice so
		// that the dominance rule below drops them.
		seen := map[reflect.Type]int{}
		for _, e := range level {
			seen[e.typ]++
		}
		for _, e := range level {
			if visited[e.typ] {
				continue
			}
			visited[e.typ] = true
			for i := range e.typ.NumField() {
				sf := e.typ.Field(i)
				ft := sf.Type
				if sf.Anonymous {
					et := ft
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTagName(name) {
					name = ""
				}
				index := append(slices.Clip(e.index), i)
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					f := jsonField{name: name, typ: sf.Type, index: index, tagged: name != ""}
					if f.name == "" {
						f.name = sf.Name
					}
					f.quoted = hasOption(opts, "string") && quotable(ft)
					found = append(found, f)
					if seen[e.typ] > 1 {
						found = append(found, f)
					}
					continue
				}
				next = append(next, embedded{typ: ft, index: index})
			}
		}
	}
	return dominant(found)
}

// dominant keeps, for each name, the field encoding/json would use: the
// shallowest, and among equally shallow ones the only tagged one. Names
// with no single winner are dropped.
func dominant(fields []jsonField) []jsonField {
	slices.SortStableFunc(fields, func(a, b jsonField) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.index), len(b.index)); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	var out []jsonField
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		group := fields[i:j]
		if len(group) == 1 || len(group[0].index) != len(group[1].index) || group[0].tagged != group[1].tagged {
			out = append(out, group[0])
		}
		i = j
	}
	slices.SortFunc(out, func(a, b jsonField) int { return slices.Compare(a.index, b.index) })
	return out
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// quotable reports whether the ",string" option applies to a field type.
func quotable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// validTagName reports whether encoding/json accepts name from a json tag.
func validTagName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c) && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			return false
		}
	}
	return true
}
