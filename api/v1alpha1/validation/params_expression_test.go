package validation

import (
	"testing"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestValidateParamExpression(t *testing.T) {
	const p0 = "spec.triggers[0].template.k8s.parameters[0]"
	const extension = p0 + ".src.expression: expression is a Herald extension: Argo Events rejects this sensor"
	expr := func(program string) *v1alpha1.TriggerParameterSource {
		return &v1alpha1.TriggerParameterSource{DependencyName: "dep", Expression: program}
	}
	runSensorCases(t, []sensorCase{
		{
			name: "valid expression",
			mutate: withK8sParam(v1alpha1.TriggerParameter{
				Src: expr(`.body.spec.ports[0] | {name: (.name // empty)} // {number: .port}`), Dest: "spec.port",
			}),
			warns: []string{extension},
		},
		{
			name: "expression with a default value",
			mutate: withK8sParam(v1alpha1.TriggerParameter{
				Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", Expression: `.a`, Value: ptr("x")}, Dest: "a",
			}),
			warns: []string{extension},
		},
		{
			name:   "expression does not parse",
			mutate: withK8sParam(v1alpha1.TriggerParameter{Src: expr(`.body | {name: .name`), Dest: "a"}),
			errs:   []string{p0 + ".src.expression: jq expression does not compile: unexpected EOF"},
			warns:  []string{extension},
		},
		{
			name:   "expression does not compile",
			mutate: withK8sParam(v1alpha1.TriggerParameter{Src: expr(`nosuchfunc(1)`), Dest: "a"}),
			errs:   []string{p0 + ".src.expression: jq expression does not compile: function not defined: nosuchfunc/1"},
			warns:  []string{extension},
		},
		{
			name: "expression combined with the other sources",
			mutate: withK8sParam(v1alpha1.TriggerParameter{
				Src: &v1alpha1.TriggerParameterSource{
					DependencyName: "dep", Expression: `.a`, DataKey: "a", DataTemplate: "{{ .Input.a }}",
					ContextKey: "id", ContextTemplate: "{{ .Input.id }}",
				},
				Dest: "a",
			}),
			errs: []string{p0 + ".src.expression: expression cannot be combined with dataKey, dataTemplate, contextKey, contextTemplate: the value comes from one of them only"},
			// No "contextKey is ignored" warning: the combination is an error.
			warns: []string{extension},
		},
		{
			name: "expression combined with a malformed key",
			mutate: withK8sParam(v1alpha1.TriggerParameter{
				Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", Expression: `.a |`, ContextKey: ".."}, Dest: "a",
			}),
			errs: []string{
				p0 + `.src.contextKey: malformed path: nothing follows the JSON Lines prefix ".."`,
				p0 + ".src.expression: jq expression does not compile: unexpected EOF",
				p0 + ".src.expression: expression cannot be combined with contextKey: the value comes from one of them only",
			},
			warns: []string{extension},
		},
		{
			name: "trigger-level expression",
			mutate: func(sn *v1alpha1.Sensor) {
				sn.Spec.Triggers[0].Parameters = []v1alpha1.TriggerParameter{{
					Src:  &v1alpha1.TriggerParameterSource{DependencyName: "dep", Expression: `{"ADD": "create"}[.type] // "update"`},
					Dest: "k8s.operation",
				}}
			},
			warns: []string{"spec.triggers[0].parameters[0].src.expression: expression is a Herald extension: Argo Events rejects this sensor"},
		},
	})
}
