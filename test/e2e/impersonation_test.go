package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
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
		out := p.Output()
		return strings.Contains(out, "forbidden") && strings.Contains(out, "system:serviceaccount:playground:playground-sa")
	}, 60*time.Second, 50*time.Millisecond, "a permission error naming the account is logged")
	list, err := k.ingresses("playground").List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	require.Empty(t, list.Items, "nothing was created")
	require.Contains(t, p.Output(), "log trigger fired", "the Sensor's other trigger still ran")
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

// TestSensorCannotWriteBeyondItsServiceAccount runs a Sensor whose
// ServiceAccount may only read ConfigMaps in its own namespace, with one k8s
// trigger per write operation (create, update of a missing object — which
// would create it — update, patch, delete, apply of a new and of an
// existing object) aimed at its own namespace and at another. One event
// fires them all: every one is refused, nothing is created, changed or
// deleted, although herald itself runs with an admin kubeconfig.
func TestSensorCannotWriteBeyondItsServiceAccount(t *testing.T) {
	cp, k := startCluster(t)
	dir := t.TempDir()
	writeFile(t, dir, "setup.yaml", configMapReaderSetup)
	k.applyFile(t, filepath.Join(dir, "setup.yaml"))
	port := freePort(t)

	type attempt struct{ name, op, object, strategy string }
	var attempts []attempt
	for _, ns := range []string{"playground", "elsewhere"} {
		attempts = append(attempts,
			attempt{name: "create-" + ns, op: "create", object: "new-by-create"},
			attempt{name: "update-missing-" + ns, op: "update", object: "new-by-update"},
			attempt{name: "update-" + ns, op: "update", object: "victim"},
			attempt{name: "patch-" + ns, op: "patch", object: "victim", strategy: "application/merge-patch+json"},
			attempt{name: "delete-" + ns, op: "delete", object: "victim"},
			attempt{name: "apply-new-" + ns, op: "apply", object: "new-by-apply"},
			attempt{name: "apply-" + ns, op: "apply", object: "victim"},
		)
		for i := len(attempts) - 7; i < len(attempts); i++ {
			attempts[i].object = ns + "/" + attempts[i].object
		}
	}
	var triggers strings.Builder
	for _, a := range attempts {
		ns, name, _ := strings.Cut(a.object, "/")
		strategy := ""
		if a.strategy != "" {
			strategy = "        patchStrategy: " + a.strategy + "\n"
		}
		fmt.Fprintf(&triggers, `  - template:
      name: %s
      k8s:
        operation: %s
%s        source:
          resource:
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: %s
              namespace: %s
            data:
              v: written-by-the-sensor
`, a.name, a.op, strategy, name, ns)
	}
	manifests := filepath.Join(dir, "manifests")
	require.NoError(t, os.Mkdir(manifests, 0o700))
	writeFile(t, manifests, "es.yaml", strings.Replace(webhookEventSource("hooks", port), "metadata:\n", "metadata:\n  namespace: playground\n", 1))
	writeFile(t, manifests, "sn.yaml", `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: writer
  namespace: playground
spec:
  template:
    serviceAccountName: reader
  dependencies:
  - name: hook
    eventSourceName: hooks
    eventName: example
  triggers:
`+triggers.String()+`  - template:
      name: log-it
      log: {}
`)
	p := startHerald(t, "run", "-f", manifests, "--kubeconfig", cp.Kubeconfig, "--webhook-host", "127.0.0.1",
		"--data-dir", filepath.Join(dir, "data"), "--metrics-addr", "", "--log-format", "json")
	require.Eventually(t, func() bool {
		resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/example", port), "application/json", strings.NewReader(`{}`))
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 60*time.Second, 50*time.Millisecond)

	// Every trigger reports a refusal naming the account.
	require.Eventually(t, func() bool {
		out := p.Output()
		for _, a := range attempts {
			if !refusedIn(out, a.name) {
				return false
			}
		}
		return strings.Contains(out, "log trigger fired")
	}, 90*time.Second, 100*time.Millisecond, "each write is refused")

	cms := func(ns string) dynamic.ResourceInterface {
		return k.resource(t, schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, ns)
	}
	for _, ns := range []string{"playground", "elsewhere"} {
		victim, err := cms(ns).Get(t.Context(), "victim", metav1.GetOptions{})
		require.NoError(t, err, "%s/victim was not deleted", ns)
		require.Equal(t, map[string]any{"v": "original"}, victim.Object["data"], "%s/victim is unchanged", ns)
		for _, mf := range victim.GetManagedFields() {
			require.NotEqual(t, "herald", mf.Manager, "%s/victim has no field written by herald", ns)
		}
		for _, name := range []string{"new-by-create", "new-by-update", "new-by-apply"} {
			_, err := cms(ns).Get(t.Context(), name, metav1.GetOptions{})
			require.True(t, apierrors.IsNotFound(err), "%s/%s was not created: %v", ns, name, err)
		}
	}
}

// refusedIn reports whether herald's JSON log has a line for trigger name
// with a permission error naming the Sensor's account.
func refusedIn(log, name string) bool {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, `"trigger":"`+name+`"`) && strings.Contains(line, "forbidden") &&
			strings.Contains(line, "system:serviceaccount:playground:reader") {
			return true
		}
	}
	return false
}

// configMapReaderSetup is two namespaces holding a ConfigMap "victim" each,
// and a ServiceAccount playground/reader that may read ConfigMaps in
// playground, nothing more.
const configMapReaderSetup = `apiVersion: v1
kind: Namespace
metadata:
  name: playground
---
apiVersion: v1
kind: Namespace
metadata:
  name: elsewhere
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: victim
  namespace: playground
data:
  v: original
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: victim
  namespace: elsewhere
data:
  v: original
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: reader
  namespace: playground
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: configmap-reader
  namespace: playground
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: configmap-reader
  namespace: playground
subjects:
- kind: ServiceAccount
  name: reader
  namespace: playground
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: configmap-reader
`
