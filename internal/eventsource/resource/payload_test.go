package resource

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/internal/golden"
	"github.com/herald-dev/herald/internal/testenv"
)

// volatile are the object fields whose values change from run to run.
var volatile = map[string]string{
	"uid":               "__uid__",
	"resourceVersion":   "__resourceVersion__",
	"creationTimestamp": "__time__",
	"time":              "__time__",
	"namespace":         "__namespace__",
	"clusterIP":         "__clusterIP__",
	"manager":           "__manager__",
}

// normalise replaces volatile values in a decoded object, in place.
func normalise(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			if repl, ok := volatile[k]; ok {
				v[k] = repl
				continue
			}
			if k == "clusterIPs" {
				v[k] = []any{"__clusterIP__"}
				continue
			}
			normalise(child)
		}
	case []any:
		for _, child := range v {
			normalise(child)
		}
	}
}

// goldenData returns an event's data with volatile values normalised,
// indented, with the payload's keys in their wire order.
func goldenData(t *testing.T, data []byte) []byte {
	t.Helper()
	var p Payload
	require.NoError(t, json.Unmarshal(data, &p))
	for _, raw := range []*json.RawMessage{&p.Body, &p.OldBody} {
		var v any
		require.NoError(t, json.Unmarshal(*raw, &v))
		normalise(v)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		*raw = b
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(p))
	return out.Bytes()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.json")
	if golden.Update() {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create the golden file")
	require.Equal(t, string(want), string(got))
}

func TestPayloadGolden(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}.withClusterIP()
	cfg := svcConfig(ns)
	cfg.Metadata = map[string]string{"team": "platform"}
	r := startSource(t, testEnv(), cfg, nil)

	svcs.create("fortune-svc", map[string]string{"app": "fortune"}, map[string]string{"autodeploy-ingress-host": "fortune.example"})
	add := r.next(t)
	svcs.update("fortune-svc", func(s *corev1.Service) { s.Spec.Ports[0].Port = 9090 })
	upd := r.next(t)
	svcs.delete("fortune-svc")
	del := r.next(t)

	checkGolden(t, "add", goldenData(t, add.ev.Data))
	checkGolden(t, "update", goldenData(t, upd.ev.Data))
	checkGolden(t, "delete", goldenData(t, del.ev.Data))
}

// TestPayloadMatchesArgo checks the wire form against the payload Argo's
// own code produced for the auto-ingress scenario: the same keys in the
// same order, compact, oldBody null on ADD.
func TestPayloadMatchesArgo(t *testing.T) {
	shared, err := testenv.SharedDir()
	if err != nil {
		t.Skip("no shared folder beside the clone:", err)
	}
	argo, err := os.ReadFile(filepath.Join(shared, "scenarios", "auto-ingress", "payload.json"))
	require.NoError(t, err)

	ns := newNamespace(t)
	r := startSource(t, testEnv(), svcConfig(ns), nil)
	services{t: t, ns: ns}.withClusterIP().create("fortune-svc", nil, map[string]string{"autodeploy-ingress-host": "x"})
	add := r.next(t)

	require.Equal(t, topLevelKeys(t, argo), topLevelKeys(t, add.ev.Data))
	require.True(t, bytes.HasPrefix(add.ev.Data, []byte(`{"type":"ADD","body":{"apiVersion":"v1","kind":"Service","metadata":{`)), "%s", add.ev.Data)
	require.Contains(t, string(add.ev.Data), `"oldBody":null,"group":"","version":"v1","resource":"services"}`)

	var want, got map[string]any
	require.NoError(t, json.Unmarshal(argo, &want))
	require.NoError(t, json.Unmarshal(add.ev.Data, &got))
	require.Equal(t, keysOf(want["body"]), keysOf(got["body"]), "body has Argo's top-level fields")
}

// topLevelKeys returns the keys of a JSON object in document order.
func topLevelKeys(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return keys
}

func keysOf(v any) []string {
	m, _ := v.(map[string]any)
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
