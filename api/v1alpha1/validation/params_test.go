package validation

import (
	"testing"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// withK8sParam sets the single parameter of the k8s trigger.
func withK8sParam(p v1alpha1.TriggerParameter) func(sn *v1alpha1.Sensor) {
	return func(sn *v1alpha1.Sensor) { trig(sn).K8s.Parameters = []v1alpha1.TriggerParameter{p} }
}

func src(dk string) *v1alpha1.TriggerParameterSource {
	return &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: dk}
}

func TestValidateParams(t *testing.T) {
	const p0 = "spec.triggers[0].template.k8s.parameters[0]"
	runSensorCases(t, []sensorCase{
		{
			name: "valid parameters",
			mutate: func(sn *v1alpha1.Sensor) {
				trig(sn).K8s.Parameters = []v1alpha1.TriggerParameter{
					{Src: src("body.metadata.name"), Dest: "metadata.name", Operation: "prepend"},
					{Src: src("body.spec.ports.0.port"), Dest: "spec.ports.-1", Operation: "append"},
					{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataTemplate: `{{ .Input.body.x | upper }}`, Value: ptr("d")}, Dest: "data.x", Operation: "overwrite"},
					{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", ContextKey: "type"}, Dest: `metadata.labels.example\.com/type`},
				}
			},
		},
		{
			name:   "src missing",
			mutate: withK8sParam(v1alpha1.TriggerParameter{Dest: "a"}),
			errs:   []string{p0 + ".src: src is required: which dependency's event the value comes from"},
		},
		{
			name:   "dependencyName missing",
			mutate: withK8sParam(v1alpha1.TriggerParameter{Src: &v1alpha1.TriggerParameterSource{DataKey: "a"}, Dest: "a"}),
			errs:   []string{p0 + ".src.dependencyName: dependencyName is required: the dependency whose event supplies the value"},
		},
		{
			name:   "dependencyName unknown",
			mutate: withK8sParam(v1alpha1.TriggerParameter{Src: &v1alpha1.TriggerParameterSource{DependencyName: "nope"}, Dest: "a"}),
			errs:   []string{p0 + `.src.dependencyName: unknown dependency "nope" (have "dep")`},
		},
		{
			name: "keys malformed",
			mutate: withK8sParam(v1alpha1.TriggerParameter{
				Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "body.", ContextKey: "..", DataTemplate: "{{ .Input", ContextTemplate: "{{ end }}"}, Dest: "a",
			}),
			errs: []string{
				p0 + `.src.dataKey: malformed path: path ends with "."`,
				p0 + `.src.contextKey: malformed path: nothing follows the JSON Lines prefix ".."`,
			},
			warns: []string{
				p0 + ".src.dataTemplate: template does not parse, so it never runs and the value comes from the key or the default (as in Argo): template: template:1: unclosed action",
				p0 + ".src.contextTemplate: template does not parse, so it never runs and the value comes from the key or the default (as in Argo): template: template:1: unexpected {{end}}",
				p0 + ".src.contextKey: contextKey is ignored because dataKey or dataTemplate is set",
			},
		},
		{
			name:   "dest missing",
			mutate: withK8sParam(v1alpha1.TriggerParameter{Src: src("a")}),
			errs:   []string{p0 + ".dest: dest is required: the path the value is written to"},
		},
		{
			name:   "dest with a query",
			mutate: withK8sParam(v1alpha1.TriggerParameter{Src: src("a"), Dest: "spec.containers.#(name==app).image"}),
			warns:  []string{p0 + `.dest: query in a destination path: "#" at offset 16: a query only replaces values already in the document, and leaves it unchanged when it finds none (escape it as "\#" if it is part of a key)`},
		},
		{
			name:   "operation unknown",
			mutate: withK8sParam(v1alpha1.TriggerParameter{Src: src("a"), Dest: "a", Operation: "replace"}),
			errs:   []string{p0 + `.operation: unknown operation "replace" (want overwrite, append, prepend)`},
		},
		{
			name: "trigger-level parameter",
			mutate: func(sn *v1alpha1.Sensor) {
				sn.Spec.Triggers[0].Parameters = []v1alpha1.TriggerParameter{{Src: src("operation"), Dest: "k8s.operation."}}
			},
			errs: []string{`spec.triggers[0].parameters[0].dest: malformed destination path: path ends with "."`},
		},
		{
			name: "http payload needs no dest but parameters do",
			mutate: httpTrigger(&v1alpha1.HTTPTrigger{
				URL:        "http://svc",
				Payload:    []v1alpha1.TriggerParameter{{Src: src("body")}},
				Parameters: []v1alpha1.TriggerParameter{{Src: src("url")}},
			}),
			errs: []string{"spec.triggers[0].template.http.parameters[0].dest: dest is required: the path the value is written to"},
		},
		{
			name: "payload of a supported kind is checked",
			mutate: httpTrigger(&v1alpha1.HTTPTrigger{
				URL:     "http://svc",
				Payload: []v1alpha1.TriggerParameter{{Src: &v1alpha1.TriggerParameterSource{DependencyName: "other"}, Dest: "x"}},
			}),
			errs: []string{`spec.triggers[0].template.http.payload[0].src.dependencyName: unknown dependency "other" (have "dep")`},
		},
	})
}
