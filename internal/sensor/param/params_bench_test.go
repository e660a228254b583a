package param

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// BenchmarkAutoIngressParams resolves and applies the auto-ingress trigger's
// parameters for one event: the trigger-level parameter on the template and
// the five k8s parameters on the Ingress (3 kB of event data).
//
//   - json: both documents as JSON bytes, parameters compiled once (the part
//     this package controls).
//   - objects: through ApplyToTemplate and ApplyToObject, including the
//     encoding/json and unstructured round trips Argo also does.
func BenchmarkAutoIngressParams(b *testing.B) {
	sensor := loadSensor(b, "ingress-sn.yaml")
	events := autoIngressEvents(b, sensor, "payload.json")
	trigger := sensor.Spec.Triggers[0]
	triggerParams, err := Compile(trigger.Parameters)
	require.NoError(b, err)
	require.False(b, triggerParams.Writes("k8s.parameters"))
	k8sParams, err := Compile(trigger.Template.K8s.Parameters)
	require.NoError(b, err)

	b.Run("json", func(b *testing.B) {
		tmplDoc, err := json.Marshal(trigger.Template)
		require.NoError(b, err)
		resource := trigger.Template.K8s.Source.Resource.Value
		b.ReportAllocs()
		for b.Loop() {
			if _, err := triggerParams.Apply(tmplDoc, events); err != nil {
				b.Fatal(err)
			}
			if _, err := k8sParams.Apply(resource, events); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})

	b.Run("objects", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tmpl, err := triggerParams.ApplyToTemplate(trigger.Template, events)
			if err != nil {
				b.Fatal(err)
			}
			obj := &unstructured.Unstructured{}
			if err := obj.UnmarshalJSON(tmpl.K8s.Source.Resource.Value); err != nil {
				b.Fatal(err)
			}
			if err := k8sParams.ApplyToObject(obj, events); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}

// BenchmarkTemplateParam measures one dataTemplate parameter (a runner from
// the pool, gjson decoding of the data as .Input, execution).
func BenchmarkTemplateParam(b *testing.B) {
	sensor := loadSensor(b, "ingress-sn.yaml")
	events := autoIngressEvents(b, sensor, "payload.json")
	src := sensor.Spec.Triggers[0].Template.K8s.Parameters[0].Src.DeepCopy()
	src.DataKey = ""
	src.DataTemplate = `{{ .Input.body.metadata.name }}-{{ .Input.body.spec.ports | len }}`
	s, err := newSource(src)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.resolve(events, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
