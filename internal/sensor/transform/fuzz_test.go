package transform

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// FuzzApply runs fuzzed data through fixed programs and fuzzed programs on
// fixed data: nothing may panic, and every result must be a valid JSON
// document within the size limit.
func FuzzApply(f *testing.F) {
	f.Add([]byte(`{"type": "ADD", "body": {"metadata": {"name": "svc"}}}`), `.operation = {"ADD": "create"}[.type]`, uint8(0))
	f.Add([]byte(`{"a": [1, null, [2], {"b": "c"}]}`), `event.a[1] = 2; return event`, uint8(1))
	f.Add([]byte(`null`), `.[]`, uint8(2))
	f.Add([]byte("\xff"), `return {}`, uint8(3))
	f.Add([]byte(`{"a": 1e400}`), `.a |= tostring`, uint8(4))
	programs := []*v1alpha1.EventDependencyTransformer{
		jq(`.operation = {"ADD": "create", "UPDATE": "update", "DELETE": "delete"}[.type]`),
		jq(`with_entries(.value |= tostring)`),
		luaScript(`event.seen = true; return event`),
		luaScript(`local n = 0; for k, v in pairs(event) do n = n + 1 end; return {n = n}`),
	}
	f.Fuzz(func(t *testing.T, data []byte, program string, sel uint8) {
		specs := []*v1alpha1.EventDependencyTransformer{programs[int(sel)%len(programs)]}
		if sel%2 == 0 {
			specs = append(specs, jq(program))
		} else {
			specs = append(specs, luaScript(program))
		}
		for _, spec := range specs {
			tr, err := Compile(spec, Options{Timeout: 50 * time.Millisecond, MaxOutputBytes: 1 << 16})
			if err != nil {
				t.Fatal(err)
			}
			ev := newResourceEvent("")
			ev.Data = data
			out, err := tr.Apply(t.Context(), ev)
			if err != nil {
				continue
			}
			if len(out.Data) > 0 && (!json.Valid(out.Data) || len(out.Data) > 1<<16) && !tr.Identity() && len(data) > 0 {
				t.Fatalf("bad output %q", out.Data)
			}
		}
	})
}
