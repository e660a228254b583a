package sensortest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoadBytesStrict(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		diags []string
	}{
		{
			name: "valid",
			doc: `apiVersion: herald.dev/v1alpha1
kind: SensorTest
sensor: s.yaml
cases:
- name: one
  events:
  - {dependency: d, data: {a: 1}}
  expect:
    triggers: [{name: t, match: exact, object: {a: 1}}]
`,
		},
		{
			name: "unknown field, with its line",
			doc: `apiVersion: herald.dev/v1alpha1
kind: SensorTest
sensor: s.yaml
cases:
- name: one
  events:
  - dependency: d
    dat: {a: 1}
`,
			diags: []string{`t.yaml:8: cases[0].events[0].dat: unknown field "dat", did you mean data?`},
		},
		{
			name: "semantic problems",
			doc: `apiVersion: herald.dev/v1alpha1
kind: SensorTest
cases:
- name: one
  events:
  - {dependency: d, eventSourceName: es, eventName: e}
  - {data: {}}
  expect:
    triggers: [{name: t, match: partial}]
    filtered: [{reason: x}]
- name: one
  events: []
`,
			diags: []string{
				`t.yaml:1: sensor: required: the Sensor's manifest file`,
				`t.yaml:6: cases[0].events[0]: set dependency or eventSourceName/eventName, not both`,
				`t.yaml:7: cases[0].events[1]: set dependency, or eventSourceName and eventName`,
				`t.yaml:9: cases[0].expect.triggers[0].match: unknown value "partial" (want subset or exact)`,
				`t.yaml:10: cases[0].expect.filtered[0].dependency: required`,
				`t.yaml:11: cases[1].name: duplicate case name "one"`,
			},
		},
		{
			name:  "another kind",
			doc:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
			diags: []string{`t.yaml:1: skipping ConfigMap (not a herald.dev/v1alpha1 SensorTest)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags, err := LoadBytes("t.yaml", []byte(tt.doc))
			require.NoError(t, err)
			var got []string
			for _, d := range diags {
				got = append(got, d.String())
			}
			require.Equal(t, tt.diags, got)
		})
	}
}
