package e2e

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// TestMatchExpected checks the expected/ comparer on the rules the scenario
// README gives, so that TestAutoIngress passing means what it says.
func TestMatchExpected(t *testing.T) {
	const want = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: a-ingress
  namespace: playground
  labels:
    ts: "~re:^[0-9]{13}$"
spec:
  rules:
  - host: h
    port: 8080
`
	path := writeFile(t, t.TempDir(), "want.yaml", want)
	tests := []struct {
		name string
		live string
		ok   bool
	}{
		{"equal, extra label and server fields", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a-ingress, namespace: playground, uid: x, labels: {ts: "1234567890123", extra: y}}
spec: {rules: [{host: h, port: 8080}]}
status: {loadBalancer: {}}`, true},
		{"port as string", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a-ingress, namespace: playground, labels: {ts: "1234567890123"}}
spec: {rules: [{host: h, port: "8080"}]}`, false},
		{"extra spec key", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a-ingress, namespace: playground, labels: {ts: "1234567890123"}}
spec: {rules: [{host: h, port: 8080}], tls: []}`, false},
		{"extra rule", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a-ingress, namespace: playground, labels: {ts: "1234567890123"}}
spec: {rules: [{host: h, port: 8080}, {host: old, port: 8080}]}`, false},
		{"label does not match the regexp", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a-ingress, namespace: playground, labels: {ts: "12"}}
spec: {rules: [{host: h, port: 8080}]}`, false},
		{"missing label", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a-ingress, namespace: playground}
spec: {rules: [{host: h, port: 8080}]}`, false},
		{"unlisted ownerReferences", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a-ingress, namespace: playground, labels: {ts: "1234567890123"}, ownerReferences: [{uid: u}]}
spec: {rules: [{host: h, port: 8080}]}`, false},
		{"other namespace", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a-ingress, namespace: other, labels: {ts: "1234567890123"}}
spec: {rules: [{host: h, port: 8080}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var obj map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(tt.live), &obj))
			err := matchExpected(loadExpected(t, path), &unstructured.Unstructured{Object: obj})
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}
