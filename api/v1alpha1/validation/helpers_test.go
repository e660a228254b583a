package validation

import (
	"testing"
	// Time zone checks must not depend on the machine's zoneinfo files.
	_ "time/tzdata"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// messages renders each error as the CLI prints it: `path: Detail`.
func messages(list field.ErrorList) []string {
	out := []string{}
	for _, e := range list {
		out = append(out, e.Field+": "+e.Detail)
	}
	return out
}

// requireResult checks the exact errors and warnings of a result.
func requireResult(t *testing.T, res Result, errs, warns []string) {
	t.Helper()
	if errs == nil {
		errs = []string{}
	}
	if warns == nil {
		warns = []string{}
	}
	require.Equal(t, errs, messages(res.Errors), "errors")
	require.Equal(t, warns, messages(res.Warnings), "warnings")
}

func ptr[T any](v T) *T { return &v }

// resource returns an inline k8s object manifest.
func resource(json string) *v1alpha1.K8SResource {
	return &v1alpha1.K8SResource{Value: []byte(json)}
}

// validSensor returns a sensor that passes validation: one dependency "dep"
// and one k8s trigger "create-cm" that creates a ConfigMap.
func validSensor() *v1alpha1.Sensor {
	return &v1alpha1.Sensor{
		ObjectMeta: metav1.ObjectMeta{Name: "sensor"},
		Spec: v1alpha1.SensorSpec{
			Dependencies: []v1alpha1.EventDependency{
				{Name: "dep", EventSourceName: "es", EventName: "ev"},
			},
			Triggers: []v1alpha1.Trigger{{
				Template: &v1alpha1.TriggerTemplate{
					Name: "create-cm",
					K8s: &v1alpha1.StandardK8STrigger{
						Operation: v1alpha1.K8sOperationCreate,
						Source: &v1alpha1.ArtifactLocation{
							Resource: resource(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"}}`),
						},
					},
				},
			}},
		},
	}
}

// sensorCase is one row of a sensor table test: a change to validSensor and
// the exact errors and warnings it must produce.
type sensorCase struct {
	name   string
	mutate func(sn *v1alpha1.Sensor)
	errs   []string
	warns  []string
}

func runSensorCases(t *testing.T, cases []sensorCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sn := validSensor()
			c.mutate(sn)
			requireResult(t, ValidateSensor(sn, DefaultSupport()), c.errs, c.warns)
		})
	}
}

// trig returns the template of the first trigger of sn.
func trig(sn *v1alpha1.Sensor) *v1alpha1.TriggerTemplate { return sn.Spec.Triggers[0].Template }

// dep returns the first dependency of sn.
func dep(sn *v1alpha1.Sensor) *v1alpha1.EventDependency { return &sn.Spec.Dependencies[0] }

// filters returns the filters of the first dependency, creating them.
func filters(sn *v1alpha1.Sensor) *v1alpha1.EventDependencyFilter {
	d := dep(sn)
	if d.Filters == nil {
		d.Filters = &v1alpha1.EventDependencyFilter{}
	}
	return d.Filters
}
