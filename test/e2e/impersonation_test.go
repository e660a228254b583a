package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestSensorActsAsItsServiceAccount runs the auto-ingress example with a
// ServiceAccount that may read Services but not write Ingresses (the
// scenario's rbac.yaml left out). Herald impersonates the Sensor's
// template.serviceAccountName, so the k8s trigger fails with a clear
// permission error naming the account, and no Ingress is created — although
// herald itself runs with an admin kubeconfig.
func TestSensorActsAsItsServiceAccount(t *testing.T) {
	example := exampleDir(t, "auto-ingress")
	cp, k := startCluster(t)
	k.applyFile(t, filepath.Join(example, "namespaces.yaml"))

	dir := t.TempDir()
	writeFile(t, dir, "rbac-read-only.yaml", readOnlyPlaygroundSA)
	k.applyFile(t, filepath.Join(dir, "rbac-read-only.yaml"))
	manifests := filepath.Join(dir, "manifests")
	require.NoError(t, os.Mkdir(manifests, 0o700))
	for _, name := range []string{"ingress-es.yaml", "ingress-sn.yaml", "eventbus.yaml"} {
		raw, err := os.ReadFile(filepath.Join(example, name))
		require.NoError(t, err)
		writeFile(t, manifests, name, string(raw))
	}
	p := startHerald(t, "run", "-f", manifests, "--kubeconfig", cp.Kubeconfig,
		"--data-dir", filepath.Join(dir, "data"), "--metrics-addr", "", "--log-format", "json")

	k.applyFile(t, filepath.Join(example, "fortune.yaml"))
	require.Eventually(t, func() bool {
		out := p.out.String()
		return strings.Contains(out, "forbidden") && strings.Contains(out, "system:serviceaccount:playground:playground-sa")
	}, 60*time.Second, 50*time.Millisecond, "a permission error naming the account is logged")
	list, err := k.ingresses("playground").List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	require.Empty(t, list.Items, "nothing was created")
	require.Contains(t, p.out.String(), "log trigger fired", "the Sensor's other trigger still ran")
}

// readOnlyPlaygroundSA is the auto-ingress example's ServiceAccount with
// the right to read Services and Ingresses but not to write Ingresses.
const readOnlyPlaygroundSA = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: playground-sa
  namespace: playground
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: services-read-only
  namespace: playground
rules:
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: services-read-only
  namespace: playground
subjects:
- kind: ServiceAccount
  name: playground-sa
  namespace: playground
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: services-read-only
`
