package cli

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/golden"
)

const (
	shopDir      = "../sensortest/testdata/shop/"
	autoIngress  = "../../examples/auto-ingress/"
	dryRunAt     = "2026-11-26T11:30:00Z"
	shopSensor   = shopDir + "sensor.yaml"
	ingressEvent = autoIngress + ".events/C1-add.json"
)

// TestDryRunText checks the text output of dry-run against golden files.
func TestDryRunText(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"passes-all", []string{"-f", shopSensor, "--event", "order=" + shopDir + "order.json"}},
		{"rejected-by-data-filter", []string{"-f", shopSensor, "--dependency", "order", "--event", shopDir + "pod.json"}},
		{"transform-error", []string{"-f", shopSensor, "--event", "payment=" + shopDir + "payment-bad.json"}},
		{"condition-not-met-then-met", []string{
			"-f", shopSensor, "--event", "payment=" + shopDir + "payment.cloudevent.json",
			"--event", "order=" + shopDir + "order.json",
		}},
		{"auto-ingress-c1", []string{"-f", autoIngress + "ingress-sn.yaml", "--event", "svc-dep=" + ingressEvent, "--type", "resource"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"dry-run", "--time", dryRunAt}, tc.args...)
			r := runHerald(t, args...)
			require.Equal(t, 0, r.code, r.stderr)
			require.Empty(t, r.stderr)
			golden.Check(t, "testdata/golden/dryrun-"+tc.name+".txt", []byte(r.stdout))
		})
	}
}

// TestDryRunJSON checks the JSON report of the auto-ingress C1 event: the
// Ingress's port is the integer 8080.
func TestDryRunJSON(t *testing.T) {
	r := runHerald(t, "dry-run", "--time", dryRunAt, "-o", "json", "-f", autoIngress+"ingress-sn.yaml",
		"--event", "svc-dep="+ingressEvent, "--type", "resource")
	require.Equal(t, 0, r.code, r.stderr)
	var rep struct {
		Sensor string `json:"sensor"`
		Events []struct {
			Triggers []struct {
				Name    string `json:"name"`
				Status  string `json:"status"`
				Firings []struct {
					Rendered struct {
						Operation string          `json:"operation"`
						Object    json.RawMessage `json:"object"`
					} `json:"rendered"`
				} `json:"firings"`
			} `json:"triggers"`
		} `json:"events"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	require.Equal(t, "playground/ingress-sn", rep.Sensor)
	ingress := rep.Events[0].Triggers[0]
	require.Equal(t, "ingress", ingress.Name)
	require.Equal(t, "fired", ingress.Status)
	require.Equal(t, "create", ingress.Firings[0].Rendered.Operation)
	var obj bytes.Buffer
	require.NoError(t, json.Compact(&obj, ingress.Firings[0].Rendered.Object))
	require.Contains(t, obj.String(), `"port":{"number":8080}`)
}

func TestDryRunErrors(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		stderr string
	}{
		{
			"unknown dependency",
			[]string{"-f", shopSensor, "--event", "nope=" + shopDir + "order.json"},
			`herald: event ../sensortest/testdata/shop/order.json: the Sensor has no dependency "nope"` + "\n",
		},
		{
			"bare data without names",
			[]string{"-f", shopSensor, "--event", shopDir + "order.json"},
			"herald: event ../sensortest/testdata/shop/order.json: event dryrun-1 names no EventSource event: give a dependency, or the EventSource and event names\n",
		},
		{
			"bad output",
			[]string{"-f", shopSensor, "--event", shopDir + "order.json", "-o", "yaml"},
			"herald: unknown --output \"yaml\" (want text or json)\n",
		},
		{
			"no sensor",
			[]string{"-f", autoIngress + "fortune.yaml", "--event", shopDir + "order.json"},
			"herald: no Sensor in ../../examples/auto-ingress/fortune.yaml\n",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runHerald(t, append([]string{"dry-run"}, tc.args...)...)
			require.Equal(t, 2, r.code)
			require.Equal(t, tc.stderr, r.stderr)
		})
	}
}
