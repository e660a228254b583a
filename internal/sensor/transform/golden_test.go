package transform

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/golden"
)

// The transforms of the reference scenario and of Argo's examples.
const (
	// autoIngressJQ is the jq of /work/shared/scenarios/auto-ingress/ingress-sn.yaml.
	autoIngressJQ = `.operation = {"ADD": "create", "UPDATE": "update", "DELETE": "delete"}[.type]`
	// autoIngressBeyondJQ is the jq of beyond/ingress-sn-beyond.yaml.
	autoIngressBeyondJQ = `.operation = {"ADD": "create", "UPDATE": "update", "DELETE": "delete"}[.type]
| .body.metadata.name as $svc
| (.body.spec.ports // []) as $ports
| .paths = [ $ports[] | {
    path: (if ($ports | length) > 1
           then "/" + (if (.name // "") != "" then .name else (.port | tostring) end)
           else "/" end),
    pathType: "Prefix",
    backend: {service: {name: $svc,
                        port: (if (.name // "") != "" then {name: .name} else {number: .port} end)}}
  } ]
| .ownerReferences = [ {apiVersion: "v1", kind: "Service", name: $svc,
                        uid: .body.metadata.uid, controller: true} ]`
	// autoIngressLua does what autoIngressJQ does, in Lua.
	autoIngressLua = `local ops = {ADD = "create", UPDATE = "update", DELETE = "delete"}
event.operation = ops[event.type]
return event`
	webhookPayload = `{"header": {"Content-Type": ["application/json"]}, "body": {"message": "hello", "n": 2}}`
)

// TestGolden runs the scenario's and Argo's example transforms and compares
// the output data byte for byte with testdata/*.golden (go test -update
// rewrites them).
func TestGolden(t *testing.T) {
	payload := readFile(t, "testdata/auto-ingress-payload.json")
	payloadUpdate := readFile(t, "testdata/auto-ingress-payload-update.json")
	cases := []struct {
		golden string
		spec   *v1alpha1.EventDependencyTransformer
		data   string
	}{
		{"auto-ingress-add", jq(autoIngressJQ), payload},
		{"auto-ingress-update", jq(autoIngressJQ), payloadUpdate},
		{"auto-ingress-beyond-add", jq(autoIngressBeyondJQ), payload},
		{"auto-ingress-beyond-update", jq(autoIngressBeyondJQ), payloadUpdate},
		{"auto-ingress-lua-add", luaScript(autoIngressLua), payload},
		// examples/sensors/transform.yaml of Argo Events.
		{"argo-example-script", luaScript("event.body.message='updated'\nreturn event"), webhookPayload},
		{"argo-example-jq", jq(".body.message *= 2"), webhookPayload},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			tr, err := Compile(tc.spec, Options{Strict: true})
			require.NoError(t, err)
			out, err := tr.Apply(t.Context(), newEvent(tc.data))
			require.NoError(t, err)
			path := filepath.Join("testdata", tc.golden+".golden")
			if golden.Update() {
				require.NoError(t, os.WriteFile(path, out.Data, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create it")
			require.Equal(t, string(want), string(out.Data))
		})
	}
}

// TestAutoIngressC7 checks the transformed ADD event against the subset the
// scenario's case C7 expects the log trigger to print.
func TestAutoIngressC7(t *testing.T) {
	tr, err := Compile(jq(autoIngressJQ), Options{Strict: true})
	require.NoError(t, err)
	out, err := tr.Apply(t.Context(), newEvent(readFile(t, "testdata/auto-ingress-payload.json")))
	require.NoError(t, err)
	var got, want map[string]any
	require.NoError(t, json.Unmarshal(out.Data, &got))
	require.NoError(t, json.Unmarshal([]byte(readFile(t, "testdata/auto-ingress-C7.subset.json")), &want))
	for k, v := range want {
		if k == "_comment" || k == "_log_fields" {
			continue
		}
		requireSubset(t, k, v, got[k])
	}
}

// requireSubset checks that every key of want is in got with the same
// value, recursively for objects.
func requireSubset(t *testing.T, path string, want, got any) {
	t.Helper()
	wm, ok := want.(map[string]any)
	if !ok {
		require.Equal(t, want, got, path)
		return
	}
	gm, ok := got.(map[string]any)
	require.True(t, ok, "%s: want an object, got %v", path, got)
	for k, v := range wm {
		requireSubset(t, path+"."+k, v, gm[k])
	}
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// newResourceEvent is the bus event of the auto-ingress scenario.
func newResourceEvent(data string) *event.Event {
	return &event.Event{ID: "1", Source: "ingress-es", Subject: "svc-events", Type: "resource", Time: eventTime, DataContentType: event.ContentTypeJSON, Data: []byte(data)}
}
