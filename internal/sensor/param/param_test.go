package param

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

func dataParam(dep, key, dest string) v1alpha1.TriggerParameter {
	return v1alpha1.TriggerParameter{Src: &v1alpha1.TriggerParameterSource{DependencyName: dep, DataKey: key}, Dest: dest}
}

func TestErrorsAreTyped(t *testing.T) {
	events := map[string]*event.Event{
		"ok":  {ID: "1", Source: "s", Type: "t", DataContentType: "application/json", Data: []byte(`{"a":1}`)},
		"bad": {ID: "2", Source: "s", Type: "t", DataContentType: "application/json", Data: []byte(`{`)},
	}
	tests := []struct {
		name   string
		doc    string
		params []v1alpha1.TriggerParameter
		want   error
	}{
		{name: "missing key", doc: `{}`, params: []v1alpha1.TriggerParameter{dataParam("ok", "zz", "x")}, want: ErrUnresolved},
		{name: "bad data", doc: `{}`, params: []v1alpha1.TriggerParameter{dataParam("bad", "a", "x")}, want: ErrEventData},
		{name: "bad dest", doc: `{"l":[]}`, params: []v1alpha1.TriggerParameter{dataParam("ok", "a", "l.k")}, want: ErrDest},
		{name: "bad doc", doc: `nope`, params: []v1alpha1.TriggerParameter{dataParam("ok", "a", "x")}, want: ErrInvalidDocument},
		{name: "no dest", doc: `{}`, params: []v1alpha1.TriggerParameter{dataParam("ok", "a", "")}, want: ErrInvalidParameter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Apply([]byte(tc.doc), tc.params, events)
			require.ErrorIs(t, err, tc.want)
		})
	}
	_, err := Resolve(nil, events)
	require.ErrorIs(t, err, ErrInvalidParameter)
}

func TestApplyDoesNotModifyItsInput(t *testing.T) {
	events := map[string]*event.Event{"d": {ID: "1", Source: "s", Type: "t", Data: []byte(`{"v":"new"}`)}}
	doc := []byte(`{"v": "old", "w": 1}`)
	keep := string(doc)
	out, err := Apply(doc, []v1alpha1.TriggerParameter{dataParam("d", "v", "v")}, events)
	require.NoError(t, err)
	require.Equal(t, `{"v": "new", "w": 1}`, string(out))
	require.Equal(t, keep, string(doc))
}

// Values have no size limit outside templates: an 8 MiB string and a
// 100000-element array go through.
func TestHugeValues(t *testing.T) {
	big := strings.Repeat("x", 8<<20)
	arr := "[" + strings.Repeat("1,", 100000) + "1]"
	events := map[string]*event.Event{"d": {ID: "1", Source: "s", Type: "t", Data: []byte(`{"s":"` + big + `","a":` + arr + `}`)}}
	raw := dataParam("d", "a", "a")
	raw.Src.UseRawData = true
	out, err := Apply([]byte(`{}`), []v1alpha1.TriggerParameter{dataParam("d", "s", "s"), raw}, events)
	require.NoError(t, err)
	require.Equal(t, `{"s":"`+big+`","a":`+arr+`}`, string(out))
}

func TestNilEventIsMissing(t *testing.T) {
	v, err := Resolve(&v1alpha1.TriggerParameterSource{DependencyName: "d", DataKey: "v"}, map[string]*event.Event{"d": nil})
	require.NoError(t, err)
	require.True(t, v.Skip)
}

func TestRawBlockWithInvalidUTF8IsCopied(t *testing.T) {
	events := map[string]*event.Event{"d": {ID: "1", Source: "s", Type: "t", Data: []byte("{\"o\":{\"k\":\"\xff\"}}")}}
	p := dataParam("d", "o", "o")
	p.Src.UseRawData = true
	out, err := Apply([]byte(`{}`), []v1alpha1.TriggerParameter{p}, events)
	require.NoError(t, err)
	require.Equal(t, "{\"o\":{\"k\":\"\xff\"}}", string(out))
}

func TestApplyToObjectKeepsObjectOnError(t *testing.T) {
	events := map[string]*event.Event{"d": {ID: "1", Source: "s", Type: "t", Data: []byte(`{"v":"x"}`)}}
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "a"}}}
	err := ApplyToObject(obj, []v1alpha1.TriggerParameter{dataParam("d", "missing", "metadata.name")}, events)
	require.ErrorIs(t, err, ErrUnresolved)
	require.Equal(t, "a", obj.GetName())
	require.NoError(t, ApplyToObject(obj, nil, events))
	require.Equal(t, "a", obj.GetName())
}

func TestApplyToTemplateWithoutParametersReturnsTheTemplate(t *testing.T) {
	tmpl := &v1alpha1.TriggerTemplate{Name: "t"}
	got, err := ApplyToTemplate(tmpl, nil, nil)
	require.NoError(t, err)
	require.Same(t, tmpl, got)
}

// A Service without the host annotation: Argo fails the whole trigger
// ("unable to resolve 'svc-dep' parameter value. err: <nil>").
func TestAutoIngressWithoutAnnotation(t *testing.T) {
	sensor := loadSensor(t, "ingress-sn.yaml")
	events := autoIngressEvents(t, sensor, "payload.json")
	var data map[string]any
	require.NoError(t, json.Unmarshal(events["svc-dep"].Data, &data))
	delete(data["body"].(map[string]any)["metadata"].(map[string]any)["annotations"].(map[string]any), "autodeploy-ingress-host")
	d, err := json.Marshal(data)
	require.NoError(t, err)
	events["svc-dep"].Data = d
	k8s := sensor.Spec.Triggers[0].Template.K8s
	_, err = Apply(k8s.Source.Resource.Value, k8s.Parameters, events)
	require.ErrorIs(t, err, ErrUnresolved)
	require.EqualError(t, err, `parameter 1 (dest "spec.rules.0.host"): parameter value not found in event of dependency "svc-dep": dataKey "body.metadata.annotations.autodeploy-ingress-host" not found and no default value`)
}

func TestCompiledWrites(t *testing.T) {
	c, err := Compile([]v1alpha1.TriggerParameter{
		dataParam("d", "a", "k8s.operation"),
		dataParam("d", "a", `http.payload.0.src.data\.Key`),
	})
	require.NoError(t, err)
	require.Equal(t, 2, c.Len())
	for path, want := range map[string]bool{
		"k8s.operation":                  true,
		"k8s":                            true,
		"k8s.parameters":                 false,
		"k8s.operationX":                 false,
		"http.payload":                   true,
		"http.payload.0":                 true,
		`http.payload.1`:                 false,
		"http.payload.0.src.data.Key":    false,
		`http.payload.0.src.data\.Key.x`: true,
		"log":                            false,
	} {
		require.Equal(t, want, c.Writes(path), path)
	}
	all, err := Compile([]v1alpha1.TriggerParameter{dataParam("d", "a", "k8s")})
	require.NoError(t, err)
	require.True(t, all.Writes("k8s.parameters"))
}

func TestWarnings(t *testing.T) {
	c, err := Compile([]v1alpha1.TriggerParameter{
		dataParam("d", "a", "ok.path"),
		{Src: &v1alpha1.TriggerParameterSource{DependencyName: "d", DataTemplate: "{{ .Input.a "}, Dest: "x"},
		dataParam("d", "a", "items.#.name"),
		dataParam("d", "a", `escaped\*star`),
	})
	require.NoError(t, err)
	warnings := c.Warnings()
	require.Len(t, warnings, 2)
	require.ErrorContains(t, warnings[0], "parameter 1: template never runs: parsing template: template: param:1: unclosed action")
	require.EqualError(t, warnings[1], `parameter 2: dest "items.#.name": unescaped '#': a query path only replaces values already in the document`)
}

func TestCheckDest(t *testing.T) {
	require.NoError(t, CheckDest("a.b.0.-1"))
	require.NoError(t, CheckDest(`a\.b\*c\?`))
	require.ErrorIs(t, CheckDest(""), ErrInvalidParameter)
	for _, d := range []string{"a|b", "a.#", "@this", "a.*", "a?"} {
		require.Error(t, CheckDest(d), d)
	}
}
