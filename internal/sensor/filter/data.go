package filter

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"

	sprig "github.com/Masterminds/sprig/v3"
	"github.com/tidwall/gjson"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// dataGroup is the compiled `data` list with its logical operator.
type dataGroup struct {
	or      bool
	filters []dataFilter
}

// dataFilter is one compiled data filter. Problems found while compiling are
// kept and returned when an event reaches them, in Argo's order: path, no
// values, template, type, then each value in turn.
type dataFilter struct {
	name     string
	path     string
	typ      v1alpha1.JSONType
	cmp      v1alpha1.Comparator
	noValues error
	tmplSrc  string
	tmpl     *template.Template
	tmplErr  error
	typeErr  error
	values   []dataValue
	want     string
}

// dataValue is one entry of `value`, read according to the filter type.
type dataValue struct {
	b   bool
	num float64
	re  *regexp.Regexp
	err error
}

func compileData(specs []v1alpha1.DataFilter, op v1alpha1.LogicalOperator, problems *[]error) *dataGroup {
	g := &dataGroup{or: op == v1alpha1.OrLogicalOperator, filters: make([]dataFilter, len(specs))}
	for i, spec := range specs {
		f := &g.filters[i]
		*f = dataFilter{name: fmt.Sprintf("data[%d]", i), path: spec.Path, typ: spec.Type, cmp: spec.Comparator, tmplSrc: spec.Template}
		note := func(err error) error {
			*problems = append(*problems, evalErr(f.name, err))
			return err
		}
		if len(spec.Value) == 0 {
			f.noValues = note(invalid("no values specified"))
		}
		if spec.Template != "" {
			f.tmpl, f.tmplErr = template.New("param").Funcs(sprig.FuncMap()).Parse(spec.Template)
			if f.tmplErr != nil {
				f.tmplErr = note(invalid("template: %v", f.tmplErr))
			}
		}
		switch spec.Type {
		case v1alpha1.JSONTypeBool, v1alpha1.JSONTypeNumber, v1alpha1.JSONTypeString:
		default:
			f.typeErr = note(invalid("unsupported JSON type '%s'", spec.Type))
		}
		f.values = make([]dataValue, len(spec.Value))
		for j, raw := range spec.Value {
			v := &f.values[j]
			var err error
			switch spec.Type {
			case v1alpha1.JSONTypeBool:
				v.b, err = strconv.ParseBool(raw)
			case v1alpha1.JSONTypeNumber:
				v.num, err = strconv.ParseFloat(raw, 64)
			case v1alpha1.JSONTypeString:
				v.re, err = regexp.Compile(raw)
			}
			if err != nil {
				v.err = note(invalid("value[%d]: %v", j, err))
			}
		}
		f.want = describeData(spec)
	}
	return g
}

// eval applies the group to the event data with Argo's rules.
func (g *dataGroup) eval(in *input) outcome {
	if len(g.filters) == 0 || !in.hasData() {
		return passed
	}
	if !in.isJSON() {
		return errored(evalErr("data", ErrInvalidData))
	}
	return combine(g.or, len(g.filters), func(i int) (bool, bool, Reason, error) {
		ok, reason, err := g.filters[i].eval(in)
		return ok, false, reason, err
	})
}

// eval applies one filter; the reason is set when it does not pass.
func (f *dataFilter) eval(in *input) (bool, Reason, error) {
	res := in.get(f.path)
	if !res.Exists() {
		return false, Reason{}, &missingPath{filter: f.name, path: f.path, want: f.want}
	}
	if f.noValues != nil {
		return false, Reason{}, evalErr(f.name, f.noValues)
	}
	if f.tmplSrc != "" {
		if f.tmplErr != nil {
			return false, Reason{}, evalErr(f.name, f.tmplErr)
		}
		var out strings.Builder
		if err := f.tmpl.Execute(&out, map[string]any{"Input": res.String()}); err != nil {
			return false, Reason{}, evalErr(f.name, fmt.Errorf("template: %w", err))
		}
		if s := out.String(); s == "" || s == "<no value>" {
			return false, Reason{}, evalErr(f.name, fmt.Errorf("template %q evaluated to empty string or no value", f.tmplSrc))
		}
		// Argo reads the template output back as a JSON string.
		res = gjson.Parse(strconv.Quote(out.String()))
	}
	if f.typeErr != nil {
		return false, Reason{}, evalErr(f.name, f.typeErr)
	}
	for i := range f.values {
		v := &f.values[i]
		if v.err != nil {
			return false, Reason{}, evalErr(f.name, v.err)
		}
		if f.passes(v, res) {
			return true, Reason{}, nil
		}
	}
	return false, Reason{Filter: f.name, Path: f.path, Seen: seen(res.String()), Want: f.want}, nil
}

// passes compares the event value with one filter value.
func (f *dataFilter) passes(v *dataValue, res gjson.Result) bool {
	switch f.typ {
	case v1alpha1.JSONTypeBool:
		return v.b == res.Bool()
	case v1alpha1.JSONTypeNumber:
		return compareNumber(f.cmp, res.Float(), v.num)
	default:
		match := v.re.MatchString(res.String())
		switch f.cmp {
		case v1alpha1.ComparatorEqualTo, v1alpha1.ComparatorEmpty:
			return match
		case v1alpha1.ComparatorNotEqualTo:
			return !match
		}
		return false
	}
}

// compareNumber applies a number comparator; an unknown one never passes.
func compareNumber(cmp v1alpha1.Comparator, event, value float64) bool {
	switch cmp {
	case v1alpha1.ComparatorGreaterThanOrEqualTo:
		return event >= value
	case v1alpha1.ComparatorGreaterThan:
		return event > value
	case v1alpha1.ComparatorLessThan:
		return event < value
	case v1alpha1.ComparatorLessThanOrEqualTo:
		return event <= value
	case v1alpha1.ComparatorNotEqualTo:
		return event != value
	case v1alpha1.ComparatorEqualTo, v1alpha1.ComparatorEmpty:
		return event == value
	}
	return false
}

// describeData says what a data filter wants, for Reason.Want.
func describeData(spec v1alpha1.DataFilter) string {
	var b strings.Builder
	if spec.Template != "" {
		fmt.Fprintf(&b, "template %q giving ", spec.Template)
	}
	fmt.Fprintf(&b, "type %s, value ", spec.Type)
	cmp := spec.Comparator
	switch spec.Type {
	case v1alpha1.JSONTypeString:
		switch cmp {
		case v1alpha1.ComparatorEqualTo, v1alpha1.ComparatorEmpty:
			b.WriteString("matching " + quoteList(spec.Value, " or "))
		case v1alpha1.ComparatorNotEqualTo:
			if len(spec.Value) > 1 {
				b.WriteString("not matching one of " + quoteList(spec.Value, ", "))
			} else {
				b.WriteString("not matching " + quoteList(spec.Value, ""))
			}
		default:
			fmt.Fprintf(&b, "with comparator %q, which never passes for strings", cmp)
		}
	case v1alpha1.JSONTypeNumber:
		if cmp == v1alpha1.ComparatorEmpty {
			cmp = v1alpha1.ComparatorEqualTo
		}
		if compareNumber(cmp, 0, 0) || compareNumber(cmp, 1, 0) || compareNumber(cmp, 0, 1) {
			parts := make([]string, len(spec.Value))
			for i, v := range spec.Value {
				parts[i] = string(cmp) + " " + v
			}
			b.WriteString(strings.Join(parts, " or "))
		} else {
			fmt.Fprintf(&b, "with comparator %q, which never passes", cmp)
		}
	default:
		b.WriteString(strings.Join(spec.Value, " or "))
	}
	return b.String()
}

func quoteList(values []string, sep string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = strconv.Quote(v)
	}
	return strings.Join(quoted, sep)
}
