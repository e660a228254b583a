package param

import (
	"encoding/json"
	"testing"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// FuzzApply feeds arbitrary documents, paths, keys, templates and event data
// through Apply and Payload. They must never panic, and a valid document
// must stay valid JSON.
func FuzzApply(f *testing.F) {
	f.Add(`{"a":1}`, "a", "v", "", `{"v":"x"}`, false, uint8(0))
	f.Add(`{"list":[1,2]}`, "list.-1", "o", "", `{"o":{"k":[1,null]}}`, true, uint8(1))
	f.Add(`{}`, `a\.b.c`, "n", "{{ .Input.n }}", `{"n":null}`, true, uint8(2))
	f.Add(`[1]`, "0", "big", "", `{"big":1e400}`, true, uint8(3))
	f.Add(`{"s":"x"}`, "s", "#", `{{ range until 10 }}{{ . }}{{ end }}`, `[1,2,3]`, false, uint8(2))
	f.Add(`{"a":{"b":1}}`, "a.*", "a|@reverse", `{{ .Input | toJson }}`, "\xff\xfe", false, uint8(1))
	f.Add(``, "a.0.b", "@this", `{{ template "x" }}`, `"str"`, true, uint8(0))
	f.Fuzz(func(t *testing.T, doc, dest, key, tmpl, data string, raw bool, op uint8) {
		ops := []v1alpha1.TriggerParameterOperation{"", "overwrite", "append", "prepend"}
		params := []v1alpha1.TriggerParameter{
			{Src: &v1alpha1.TriggerParameterSource{DependencyName: "d", DataKey: key, UseRawData: raw}, Dest: dest, Operation: ops[op%4]},
			{Src: &v1alpha1.TriggerParameterSource{DependencyName: "d", DataTemplate: tmpl, DataKey: key, UseRawData: raw}, Dest: dest + ".t", Operation: ops[(op/4)%4]},
			{Src: &v1alpha1.TriggerParameterSource{DependencyName: "d", ContextKey: key, UseRawData: raw}, Dest: "ctx"},
		}
		events := map[string]*event.Event{"d": {ID: "i", Source: "s", Type: "t", Data: []byte(data)}}
		out, err := Apply([]byte(doc), params, events)
		if err == nil && len(doc) > 0 && json.Valid([]byte(doc)) && !json.Valid(out) {
			t.Fatalf("valid %q became invalid %q", doc, out)
		}
		out, err = Payload(params, events)
		if err == nil && out != nil && !json.Valid(out) {
			t.Fatalf("payload %q is not JSON", out)
		}
		for i := range params {
			_, _ = Resolve(params[i].Src, events)
		}
	})
}
