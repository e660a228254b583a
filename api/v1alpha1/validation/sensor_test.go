package validation

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestValidateSensorNil(t *testing.T) {
	requireResult(t, ValidateSensor(nil, DefaultSupport()), []string{"spec: no sensor given"}, nil)
}

func TestValidateSensorMetadataAndDependencies(t *testing.T) {
	runSensorCases(t, []sensorCase{
		{name: "valid", mutate: func(*v1alpha1.Sensor) {}},
		{
			name:   "name missing",
			mutate: func(sn *v1alpha1.Sensor) { sn.Name = "" },
			errs:   []string{"metadata.name: name is required"},
		},
		{
			name:   "generateName instead of name",
			mutate: func(sn *v1alpha1.Sensor) { sn.Name, sn.GenerateName = "", "sensor-" },
		},
		{
			name:   "name not a DNS subdomain",
			mutate: func(sn *v1alpha1.Sensor) { sn.Name = "My_Sensor" },
			errs: []string{"metadata.name: name is not a valid Kubernetes object name: " +
				strings.Join(validation.IsDNS1123Subdomain("My_Sensor"), "; ")},
		},
		{
			name:   "no dependencies",
			mutate: func(sn *v1alpha1.Sensor) { sn.Spec.Dependencies = nil },
			errs:   []string{"spec.dependencies: at least one dependency is required"},
		},
		{
			name:   "dependency name missing",
			mutate: func(sn *v1alpha1.Sensor) { dep(sn).Name = "" },
			errs:   []string{"spec.dependencies[0].name: dependency name is required"},
		},
		{
			name: "dependency name duplicated",
			mutate: func(sn *v1alpha1.Sensor) {
				sn.Spec.Dependencies = append(sn.Spec.Dependencies, v1alpha1.EventDependency{Name: "dep", EventSourceName: "es", EventName: "other"})
			},
			errs: []string{`spec.dependencies[1].name: dependency name "dep" is already used by spec.dependencies[0]`},
		},
		{
			name:   "eventSourceName missing",
			mutate: func(sn *v1alpha1.Sensor) { dep(sn).EventSourceName = "" },
			errs:   []string{"spec.dependencies[0].eventSourceName: eventSourceName is required: the EventSource that emits the event"},
		},
		{
			name:   "eventName missing",
			mutate: func(sn *v1alpha1.Sensor) { dep(sn).EventName = "" },
			errs:   []string{"spec.dependencies[0].eventName: eventName is required: the event's name within its EventSource"},
		},
		{
			name:   "filtersLogicalOperator unknown",
			mutate: func(sn *v1alpha1.Sensor) { dep(sn).FiltersLogicalOperator = "xor" },
			errs:   []string{`spec.dependencies[0].filtersLogicalOperator: unknown logical operator "xor" (want and, or)`},
		},
		{
			name:   "filtersLogicalOperator or",
			mutate: func(sn *v1alpha1.Sensor) { dep(sn).FiltersLogicalOperator = v1alpha1.OrLogicalOperator },
		},
	})
}

func TestValidateSensorTransform(t *testing.T) {
	runSensorCases(t, []sensorCase{
		{
			name: "jq and script valid",
			mutate: func(sn *v1alpha1.Sensor) {
				dep(sn).Transform = &v1alpha1.EventDependencyTransformer{JQ: `.body.x |= ascii_upcase`}
			},
		},
		{
			name:   "jq does not compile",
			mutate: func(sn *v1alpha1.Sensor) { dep(sn).Transform = &v1alpha1.EventDependencyTransformer{JQ: `.a |`} },
			errs:   []string{"spec.dependencies[0].transform.jq: jq program does not compile: unexpected EOF"},
		},
		{
			name: "script does not compile",
			mutate: func(sn *v1alpha1.Sensor) {
				dep(sn).Transform = &v1alpha1.EventDependencyTransformer{Script: `return (`}
			},
			errs: []string{"spec.dependencies[0].transform.script: Lua script does not compile: script at EOF: syntax error"},
		},
		{
			name: "jq and script both set",
			mutate: func(sn *v1alpha1.Sensor) {
				dep(sn).Transform = &v1alpha1.EventDependencyTransformer{JQ: `.`, Script: `return event`}
			},
			warns: []string{"spec.dependencies[0].transform.script: script is ignored because jq is set (only one transform runs)"},
		},
	})
}

func TestValidateSensorFilters(t *testing.T) {
	data := func(sn *v1alpha1.Sensor, d v1alpha1.DataFilter) { filters(sn).Data = []v1alpha1.DataFilter{d} }
	runSensorCases(t, []sensorCase{
		{
			name: "every filter valid",
			mutate: func(sn *v1alpha1.Sensor) {
				f := filters(sn)
				f.Data = []v1alpha1.DataFilter{
					{Path: "body.action", Type: "string", Value: []string{"^open", "closed"}, Comparator: "!="},
					{Path: "body.count", Type: "number", Value: []string{"3.5"}, Comparator: ">="},
					{Path: "body.draft", Type: "bool", Value: []string{"false"}, Template: `{{ .Input }}`},
				}
				f.Exprs = []v1alpha1.ExprFilter{{Expr: "a > 1", Fields: []v1alpha1.PayloadField{{Name: "a", Path: "body.a"}}}}
				f.Context = &v1alpha1.EventContext{Type: "webhook"}
				f.Time = &v1alpha1.TimeFilter{Start: "22:00:00", Stop: "6:00:00", Timezone: "Europe/Paris"}
				f.Script = `return event.body.a == "b"`
				f.DataLogicalOperator, f.ExprLogicalOperator = "or", "and"
			},
		},
		{
			name: "logical operators unknown",
			mutate: func(sn *v1alpha1.Sensor) {
				f := filters(sn)
				f.DataLogicalOperator, f.ExprLogicalOperator = "AND", "nor"
			},
			errs: []string{
				`spec.dependencies[0].filters.exprLogicalOperator: unknown logical operator "nor" (want and, or)`,
				`spec.dependencies[0].filters.dataLogicalOperator: unknown logical operator "AND" (want and, or)`,
			},
		},
		{
			name:   "expr and fields missing",
			mutate: func(sn *v1alpha1.Sensor) { filters(sn).Exprs = []v1alpha1.ExprFilter{{}} },
			errs: []string{
				"spec.dependencies[0].filters.exprs[0].expr: expr is required: a boolean expression over the fields",
				"spec.dependencies[0].filters.exprs[0].fields: at least one field is required: the names expr uses and where they are read from",
			},
		},
		{
			name: "expr field name and path",
			mutate: func(sn *v1alpha1.Sensor) {
				filters(sn).Exprs = []v1alpha1.ExprFilter{{Expr: "a", Fields: []v1alpha1.PayloadField{{}, {Name: "b", Path: "body..b"}}}}
			},
			errs: []string{
				"spec.dependencies[0].filters.exprs[0].fields[0].name: field name is required: the name expr uses for the value",
				"spec.dependencies[0].filters.exprs[0].fields[0].path: path is required: the event data path the value is read from",
				"spec.dependencies[0].filters.exprs[0].fields[1].path: malformed path: empty component at offset 5 (two separators in a row)",
			},
		},
		{
			name:   "data filter empty",
			mutate: func(sn *v1alpha1.Sensor) { data(sn, v1alpha1.DataFilter{}) },
			errs: []string{
				"spec.dependencies[0].filters.data[0].path: path is required: the event data path the value is read from",
				"spec.dependencies[0].filters.data[0].value: at least one value is required",
				"spec.dependencies[0].filters.data[0].type: type is required (want string, number, bool)",
			},
		},
		{
			name: "data path malformed",
			mutate: func(sn *v1alpha1.Sensor) {
				data(sn, v1alpha1.DataFilter{Path: `body.#(a=="b"`, Type: "string", Value: []string{"x"}})
			},
			errs: []string{`spec.dependencies[0].filters.data[0].path: malformed path: "(" at offset 6 is never closed`},
		},
		{
			name:   "data type unknown",
			mutate: func(sn *v1alpha1.Sensor) { data(sn, v1alpha1.DataFilter{Path: "a", Type: "int", Value: []string{"1"}}) },
			errs:   []string{`spec.dependencies[0].filters.data[0].type: unknown type "int" (want string, number, bool)`},
		},
		{
			name: "data value empty string",
			mutate: func(sn *v1alpha1.Sensor) {
				data(sn, v1alpha1.DataFilter{Path: "a", Type: "string", Value: []string{""}})
			},
			errs: []string{"spec.dependencies[0].filters.data[0].value[0]: value must not be empty"},
		},
		{
			name: "string value not a regex",
			mutate: func(sn *v1alpha1.Sensor) {
				data(sn, v1alpha1.DataFilter{Path: "a", Type: "string", Value: []string{"(x"}})
			},
			errs: []string{"spec.dependencies[0].filters.data[0].value[0]: string values are regular expressions and this one does not compile: error parsing regexp: missing closing ): `(x`"},
		},
		{
			name: "number value not a number",
			mutate: func(sn *v1alpha1.Sensor) {
				data(sn, v1alpha1.DataFilter{Path: "a", Type: "number", Value: []string{"ten"}})
			},
			errs: []string{`spec.dependencies[0].filters.data[0].value[0]: "ten" is not a number`},
		},
		{
			name: "bool value not a bool",
			mutate: func(sn *v1alpha1.Sensor) {
				data(sn, v1alpha1.DataFilter{Path: "a", Type: "bool", Value: []string{"yes"}})
			},
			errs: []string{`spec.dependencies[0].filters.data[0].value[0]: "yes" is not a boolean (want true or false)`},
		},
		{
			name: "comparator unknown",
			mutate: func(sn *v1alpha1.Sensor) {
				data(sn, v1alpha1.DataFilter{Path: "a", Type: "number", Value: []string{"1"}, Comparator: "=="})
			},
			errs: []string{`spec.dependencies[0].filters.data[0].comparator: unknown comparator "==" (want =, !=, >, >=, <, <=)`},
		},
		{
			name: "comparator ignored by type",
			mutate: func(sn *v1alpha1.Sensor) {
				filters(sn).Data = []v1alpha1.DataFilter{
					{Path: "a", Type: "string", Value: []string{"x"}, Comparator: ">"},
					{Path: "b", Type: "bool", Value: []string{"true"}, Comparator: "!="},
				}
			},
			warns: []string{
				`spec.dependencies[0].filters.data[0].comparator: comparator ">" never matches a string filter (string filters support = and !=)`,
				`spec.dependencies[0].filters.data[1].comparator: comparator "!=" is ignored for a bool filter, which always tests equality`,
			},
		},
		{
			name: "template does not parse",
			mutate: func(sn *v1alpha1.Sensor) {
				data(sn, v1alpha1.DataFilter{Path: "a", Type: "string", Value: []string{"x"}, Template: "{{ nosuch .Input }}"})
			},
			errs: []string{`spec.dependencies[0].filters.data[0].template: template does not parse: template: template:1: function "nosuch" not defined`},
		},
		{
			name:   "context filter tests nothing",
			mutate: func(sn *v1alpha1.Sensor) { filters(sn).Context = &v1alpha1.EventContext{ID: "x"} },
			errs:   []string{"spec.dependencies[0].filters.context: context filter sets none of type, subject, source, datacontenttype, so it would drop every event"},
			warns:  []string{"spec.dependencies[0].filters.context.id: not compared: a context filter compares type, subject, source and datacontenttype only (as in Argo)"},
		},
		{
			name: "time filter malformed",
			mutate: func(sn *v1alpha1.Sensor) {
				filters(sn).Time = &v1alpha1.TimeFilter{Start: "9am", Stop: "25:00:00", Timezone: "Mars/Base"}
			},
			errs: []string{
				`spec.dependencies[0].filters.time.start: invalid start time "9am": want HH:MM:SS, e.g. 09:30:00`,
				`spec.dependencies[0].filters.time.stop: invalid stop time "25:00:00": want HH:MM:SS, e.g. 09:30:00`,
				`spec.dependencies[0].filters.time.timezone: unknown time zone "Mars/Base" (want an IANA name such as Europe/Paris)`,
			},
		},
		{
			name:   "time filter empty window",
			mutate: func(sn *v1alpha1.Sensor) { filters(sn).Time = &v1alpha1.TimeFilter{Start: "09:00:00", Stop: "9:00:00"} },
			errs:   []string{"spec.dependencies[0].filters.time.stop: stop equals start, so the window is empty"},
		},
		{
			name:   "script does not compile",
			mutate: func(sn *v1alpha1.Sensor) { filters(sn).Script = "if then" },
			errs:   []string{"spec.dependencies[0].filters.script: Lua script does not compile: script line:1(column:7) near 'then': syntax error"},
		},
	})
}

// TestFieldsNotApplied checks the warnings for Sensor fields Argo reads and
// Herald does not act on.
func TestFieldsNotApplied(t *testing.T) {
	runSensorCases(t, []sensorCase{
		{
			name:   "errorOnFailedRound",
			mutate: func(sn *v1alpha1.Sensor) { sn.Spec.ErrorOnFailedRound = true },
			warns:  []string{"spec.errorOnFailedRound: not applied: Herald does not stop a Sensor after a failed round; each event's failed triggers are retried, then dead-lettered, while other events go on"},
		},
		{
			name: "context filter id and specversion",
			mutate: func(sn *v1alpha1.Sensor) {
				sn.Spec.Dependencies[0].Filters = &v1alpha1.EventDependencyFilter{Context: &v1alpha1.EventContext{Type: "webhook", ID: "x", SpecVersion: "1.0"}}
			},
			warns: []string{
				"spec.dependencies[0].filters.context.id: not compared: a context filter compares type, subject, source and datacontenttype only (as in Argo)",
				"spec.dependencies[0].filters.context.specversion: not compared: a context filter compares type, subject, source and datacontenttype only (as in Argo)",
			},
		},
	})
}
