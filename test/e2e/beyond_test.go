package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestAutoIngressBeyond runs the "Beyond Argo" cases B1 and B2 of the
// auto-ingress scenario, and the unnamed-port Ingress of B3, with the herald
// binary against a real API server, once for each way of writing them:
//
//   - argo: examples/auto-ingress-beyond, the scenario's Argo-only Sensor
//     (a jq transform builds the paths and owner references as JSON blocks);
//   - herald: examples/auto-ingress-herald, the same Sensor written with
//     Herald's extension (expression parameters, k8s owner and reconcile).
//
// Both must give the scenario's expected Ingresses: B3 for fortune.yaml's
// unnamed port (port number, owner reference to the Service), B1 for a named
// port (port name), B2 for two ports (one path per port), and after an
// UPDATE that removes a port, no path for it.
func TestAutoIngressBeyond(t *testing.T) {
	tests := []struct {
		name, folder string
		// owned: the Ingresses' ownerReferences are checked exactly (the
		// Service, controller: true). The herald form gets them from
		// k8s.owner, which internal/trigger/k8s implements; when false they
		// are not compared at all.
		owned bool
	}{
		{name: "argo", folder: "auto-ingress-beyond", owned: true},
		{name: "herald", folder: "auto-ingress-herald", owned: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runBeyond(t, tc.folder, tc.owned)
		})
	}
}

func runBeyond(t *testing.T, folder string, owned bool) {
	example := exampleDir(t, folder)
	// The scenario's files, as TestAutoIngress reads them, and Herald's
	// follow-up to B2.
	scenario := filepath.Join("testdata", "auto-ingress")
	if dir := os.Getenv("HERALD_AUTOINGRESS_SCENARIO"); dir != "" {
		scenario = dir
	}
	followUp := filepath.Join("testdata", "auto-ingress-beyond")

	cp, k := startCluster(t)
	k.applyFile(t, filepath.Join(example, "namespaces.yaml"))
	k.applyFile(t, filepath.Join(example, "rbac.yaml"))

	dir := t.TempDir()
	startHerald(t, "run", "-f", example, "--kubeconfig", cp.Kubeconfig,
		"--data-dir", filepath.Join(dir, "data"), "--metrics-addr", "", "--log-format", "json")

	// waitIngress waits until the Ingress matches an expected file, its
	// "~uid:<namespace>/<name>" values replaced by that Service's uid.
	waitIngress := func(t *testing.T, name, file string, within time.Duration) {
		t.Helper()
		want := loadExpected(t, file)
		resolveServiceUIDs(t, k, want)
		if !owned {
			delete(want["metadata"].(map[string]any), "ownerReferences")
		}
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			got, err := k.ingresses("playground").Get(t.Context(), name, metav1.GetOptions{})
			require.NoError(c, err)
			if !owned {
				got = got.DeepCopy()
				unstructured.RemoveNestedField(got.Object, "metadata", "ownerReferences")
			}
			require.NoError(c, matchExpected(want, got))
		}, within, 50*time.Millisecond, "%s", file)
	}
	expected := func(name string) string { return filepath.Join(scenario, "expected", name) }
	caseFile := func(name string) string { return filepath.Join(scenario, "cases", name) }

	// The cases build on each other: stop at the first that fails.
	mustRun := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}
	mustRun("B3 unnamed port", func(t *testing.T) {
		k.applyFile(t, filepath.Join(exampleDir(t, "auto-ingress"), "fortune.yaml"))
		// The first case also covers herald's start-up.
		waitIngress(t, "fortune-svc-ingress", expected("B3.ingress.yaml"), 60*time.Second)
	})
	mustRun("B1 named port", func(t *testing.T) {
		k.applyFile(t, caseFile("B1-fortune-svc-named-port.yaml"))
		waitIngress(t, "fortune-svc-ingress", expected("B1.ingress.yaml"), caseWithin)
	})
	mustRun("B2 two ports", func(t *testing.T) {
		k.applyFile(t, caseFile("B2-fortune-svc-multi-port.yaml"))
		waitIngress(t, "fortune-multi-ingress", expected("B2.ingress.yaml"), caseWithin)
	})
	mustRun("B2 port removed", func(t *testing.T) {
		k.applyFile(t, filepath.Join(followUp, "cases", "B2-fortune-multi-metrics-removed.yaml"))
		waitIngress(t, "fortune-multi-ingress", filepath.Join(followUp, "expected", "B2-metrics-removed.ingress.yaml"), caseWithin)
	})
}

// resolveServiceUIDs replaces, in an expected object, every string
// "~uid:<namespace>/<name>" with the current uid of that Service (the
// scenario README's "Reading expected/").
func resolveServiceUIDs(t *testing.T, k *kube, v any) {
	t.Helper()
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for key, e := range x {
				x[key] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		case string:
			ref, ok := strings.CutPrefix(x, "~uid:")
			if !ok {
				return x
			}
			namespace, name, ok := strings.Cut(ref, "/")
			require.True(t, ok, "malformed %q", x)
			svc, err := k.services(namespace).Get(t.Context(), name, metav1.GetOptions{})
			require.NoError(t, err, "reading the uid of Service %s", ref)
			return string(svc.GetUID())
		}
		return v
	}
	walk(v)
}
