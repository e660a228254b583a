package hostile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/bundle"
)

const goodSensor = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: good, namespace: ns}
spec:
  dependencies: [{name: d, eventSourceName: hooks, eventName: push}]
  triggers: [{template: {name: t, log: {}}}]
`

// sensorWith is goodSensor with its metadata replaced.
func sensorWith(metadata string) string {
	return strings.Replace(goodSensor, "metadata: {name: good, namespace: ns}", metadata, 1)
}

// billionLaughs is the YAML alias bomb: nine levels of nine references.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString("apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata: {name: lol}\nspec:\n  a0: &a0 [\"lol\"]\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("  a" + itoa(i) + ": &a" + itoa(i) + " [")
		for j := range 9 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + itoa(i-1))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func itoa(i int) string { return string(rune('0' + i)) }

// TestManifestHostile loads each manifest with the bundle loader (strict
// decoding and validation, as `herald lint` and `herald run` do).
func TestManifestHostile(t *testing.T) {
	rows := []struct {
		name  string
		input string
		want  string // a fragment of one diagnostic; "" means the load is clean
	}{
		{"name over 253 characters", sensorWith("metadata: {name: " + longName + ", namespace: ns}"), "must be no more than 253 characters"},
		{"name with a NUL byte", sensorWith("metadata: {name: \"a\\0b\", namespace: ns}"), "name is not a valid Kubernetes object name"},
		{"raw NUL byte in the file", goodSensor + "\x00", "control characters are not allowed"},
		{"invalid UTF-8", goodSensor + "# " + badUTF8 + "\n", "invalid"},
		{"10 MB annotation", sensorWith("metadata: {name: big, namespace: ns, annotations: {a: " + tenMB + "}}"), "file is too large"},
		{"YAML billion laughs", billionLaughs(), "aliases expand to more than 131072 values"},
		{"alias to itself", "a: &a [*a]\n", "alias *a refers to a value that contains it"},
		{"duplicate keys", goodSensor + "metadata: {name: again}\n", `duplicate key "metadata": already set at line 3`},
		{"huge integer", strings.Replace(goodSensor, "triggers: [{", "triggers: [{retryStrategy: {steps: 99999999999999999999999}, ", 1), "wrong type: want integer, got number 99999999999999999999999"},
		{"YAML nested 100000 deep", "a: " + deepArrays + "\n", "exceeded max depth"},
		{"unknown field", strings.Replace(goodSensor, "spec:\n", "spec:\n  nope: 1\n", 1), `unknown field "nope"`},
		{"tab indentation", "apiVersion: v1\n\tkind: Sensor\n", "found a tab character that violates indentation"},
		{"binary garbage", "\x89PNG\r\n\x1a\n\x00\x00", "invalid leading UTF-8 octet"},
		{"a JSON document nested 100000 deep", `{"a": ` + deepArrays + `}`, "exceeded max depth"},
		{"an object where a list goes", strings.Replace(goodSensor, "triggers: [{template: {name: t, log: {}}}]", "triggers: {a: 1}", 1), "wrong type: want list, got object"},
		{"trigger name of 10 000 characters", strings.Replace(goodSensor, "name: t,", "name: "+strings.Repeat("t", 10000)+",", 1), ""},
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	require.NoError(t, os.WriteFile(good, []byte(goodSensor), 0o600))
	for i, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			path := filepath.Join(dir, "row"+strings.Repeat("x", i)+".yaml")
			require.NoError(t, os.WriteFile(path, []byte(row.input), 0o600))
			start := time.Now()
			_, diags, err := bundle.Load([]string{path}, bundle.Options{Strict: true})
			require.NoError(t, err)
			require.Less(t, time.Since(start), rowTimeout)
			var msgs []string
			for _, d := range diags {
				msgs = append(msgs, d.Message)
			}
			if row.want == "" {
				require.Empty(t, msgs)
			} else {
				require.Contains(t, strings.Join(msgs, "\n"), row.want)
			}
			// The loader still loads a good manifest.
			b, diags, err := bundle.Load([]string{good}, bundle.Options{Strict: true})
			require.NoError(t, err)
			require.Empty(t, diags)
			require.Len(t, b.Sensors(), 1)
		})
	}
}
