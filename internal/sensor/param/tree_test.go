package param

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// treeTemplate has what k8s trigger templates have: nested objects,
// arrays of objects, numbers, placeholders.
const treeTemplate = `{"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
"metadata":{"name":"-ingress","namespace":"playground","labels":{"a":"b"}},
"spec":{"ingressClassName":"x","rules":[{"host":"h","http":{"paths":[{"path":"/","pathType":"Prefix",
"backend":{"service":{"name":"s","port":{"number":1}}}}]}}],"weights":[1,2.5,3]}}`

const treeData = `{"type":"ADD","name":"fortune","port":8080,"big":12345678901234567890,"ratio":0.5,
"flag":true,"none":null,"neg":-42,"zero":0,"negzero":-0,"max":9223372036854775807,"exp":1e3,"onedot":1.0,"obj":{"k":"v","n":[1,2]},"bad":"a\ud800b","html":"<b>&</b>","text":"plain"}`

func TestObjectFromMatchesJSON(t *testing.T) {
	var tree map[string]any
	obj := &unstructured.Unstructured{}
	require.NoError(t, obj.UnmarshalJSON([]byte(treeTemplate)))
	tree = obj.Object
	doc, err := obj.MarshalJSON()
	require.NoError(t, err)
	events := map[string]*event.Event{"d": {ID: "e", Source: "s", Subject: "x", Type: "t", DataContentType: event.ContentTypeJSON, Data: []byte(treeData)}}

	keys := []string{"name", "port", "neg", "zero", "negzero", "max", "exp", "onedot", "big", "ratio", "flag", "none", "obj", "obj.n", "missing", "bad", "html", "text"}
	dests := []string{
		"metadata.name", "spec.rules.0.host", "spec.rules.0.http.paths.0.backend.service.port.number",
		"spec.weights.1", "spec.weights.3", "spec.weights.-1", "spec.weights.01", "spec.rules.1.host",
		"metadata.labels.new", "metadata.annotations.x", "metadata.labels", "spec", "kind", "apiVersion",
		"spec.rules.0.http", "metadata.name.x", `metadata.labels.a\.b`, "metadata..name", "spec.rules.#.host",
		"metadata.labels.0", "",
	}
	ops := []v1alpha1.TriggerParameterOperation{"", v1alpha1.TriggerParameterOpAppend, v1alpha1.TriggerParameterOpPrepend}
	n, fast := 0, 0
	for _, key := range keys {
		for _, dest := range dests {
			for _, op := range ops {
				for _, raw := range []bool{false, true} {
					params := []v1alpha1.TriggerParameter{{
						Src:       &v1alpha1.TriggerParameterSource{DependencyName: "d", DataKey: key, UseRawData: raw},
						Dest:      dest,
						Operation: op,
					}}
					if key == "missing" {
						def := "fallback"
						params[0].Src.Value = &def
					}
					name := fmt.Sprintf("%s->%s/%s/raw=%v", key, dest, op, raw)
					c, err := Compile(params)
					if err != nil {
						continue
					}
					n++
					if _, ok, _ := c.objectFromTree(tree, events); ok {
						fast++
					}
					want, wantErr := c.ObjectFromJSON(doc, events)
					got, gotErr := c.ObjectFrom(tree, doc, events)
					if wantErr != nil {
						require.EqualError(t, gotErr, wantErr.Error(), name)
						continue
					}
					require.NoError(t, gotErr, name)
					wantJSON, _ := json.Marshal(want.Object)
					gotJSON, _ := json.Marshal(got.Object)
					require.Equal(t, string(wantJSON), string(gotJSON), name)
					require.Equal(t, want.Object, got.Object, name)
				}
			}
		}
	}
	require.Greater(t, n, 1000)
	require.Greater(t, fast, n/4, "the fast way is taken for plain paths")
	t.Logf("%d cases, %d the fast way", n, fast)
	require.Equal(t, obj.Object, tree, "the template tree is not modified")
}
