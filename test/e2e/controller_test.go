package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/herald-dev/herald/internal/ui"
)

// TestController runs `herald controller` against a real API server with
// the auto-ingress example applied through the API, as `kubectl apply`
// would: the controller picks the EventSource and Sensor up, reports them
// running in their status, and the Sensor creates the Ingress of case C1.
func TestController(t *testing.T) {
	example := exampleDir(t, "auto-ingress")
	expected := filepath.Join("testdata", "auto-ingress", "expected")

	cp, k := startCluster(t)
	for _, name := range []string{"namespaces.yaml", "rbac.yaml", "eventbus.yaml"} {
		k.applyFile(t, filepath.Join(example, name))
	}
	uiAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	p := startHerald(t, "controller", "--kubeconfig", cp.Kubeconfig, "--ui-addr", uiAddr,
		"--data-dir", filepath.Join(t.TempDir(), "data"), "--metrics-addr", "", "--log-format", "json")
	// Created while the controller runs: it must see them come.
	k.applyFile(t, filepath.Join(example, "ingress-es.yaml"))
	k.applyFile(t, filepath.Join(example, "ingress-sn.yaml"))

	group := "argoproj.io"
	sensors := k.resource(t, schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "Sensor"}, "playground")
	sources := k.resource(t, schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "EventSource"}, "playground")
	buses := k.resource(t, schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "EventBus"}, "playground")
	t.Run("status", func(t *testing.T) {
		requireConditions(t, sources.Get, "ingress-es", "SourcesProvided", "Deployed", "Running")
		requireConditions(t, sensors.Get, "ingress-sn", "DependenciesProvided", "TriggersProvided", "Deployed", "Running")
		requireConditions(t, buses.Get, "jetstream-eb", "Configured", "Deployed")
	})
	t.Run("C1", func(t *testing.T) {
		k.applyFile(t, filepath.Join(example, "fortune.yaml"))
		want := loadExpected(t, filepath.Join(expected, "C1.ingress.yaml"))
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			got, err := k.ingresses("playground").Get(t.Context(), "fortune-svc-ingress", metav1.GetOptions{})
			require.NoError(c, err)
			require.NoError(c, matchExpected(want, got))
		}, 60*time.Second, 50*time.Millisecond)
	})
	t.Run("web UI follows the cluster", func(t *testing.T) {
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			require.ElementsMatch(c, []string{"eventsource playground/ingress-es", "sensor playground/ingress-sn"}, flowObjects(c, uiAddr))
		}, 30*time.Second, 50*time.Millisecond)
		require.NoError(t, sensors.Delete(t.Context(), "ingress-sn", metav1.DeleteOptions{}))
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			require.Equal(c, []string{"eventsource playground/ingress-es"}, flowObjects(c, uiAddr))
		}, 30*time.Second, 50*time.Millisecond)
	})
	t.Run("stops cleanly", func(t *testing.T) {
		p.Stop(t)
		require.Equal(t, 0, p.ExitCode(), "%s", p.Output())
	})
}

// TestControllerSensorActsAsItsServiceAccount is TestSensorActsAsItsServiceAccount
// for `herald controller`: the controller runs with an admin kubeconfig, yet a
// Sensor whose ServiceAccount may not write Ingresses gets a permission error
// naming the account, and nothing is created. A Sensor cannot borrow the
// controller's rights.
func TestControllerSensorActsAsItsServiceAccount(t *testing.T) {
	example := exampleDir(t, "auto-ingress")
	cp, k := startCluster(t)
	dir := t.TempDir()
	writeFile(t, dir, "rbac-read-only.yaml", readOnlyPlaygroundSA)
	for _, path := range []string{filepath.Join(example, "namespaces.yaml"), filepath.Join(dir, "rbac-read-only.yaml"), filepath.Join(example, "eventbus.yaml")} {
		k.applyFile(t, path)
	}
	p := startHerald(t, "controller", "--kubeconfig", cp.Kubeconfig, "--ui-addr", "",
		"--data-dir", filepath.Join(dir, "data"), "--metrics-addr", "", "--log-format", "json")
	k.applyFile(t, filepath.Join(example, "ingress-es.yaml"))
	k.applyFile(t, filepath.Join(example, "ingress-sn.yaml"))
	sensors := k.resource(t, schema.GroupVersionKind{Group: "argoproj.io", Version: "v1alpha1", Kind: "Sensor"}, "playground")
	requireConditions(t, sensors.Get, "ingress-sn", "Deployed", "Running")

	k.applyFile(t, filepath.Join(example, "fortune.yaml"))
	require.Eventually(t, func() bool {
		out := p.Output()
		return strings.Contains(out, "forbidden") && strings.Contains(out, "system:serviceaccount:playground:playground-sa")
	}, 60*time.Second, 50*time.Millisecond, "a permission error naming the account is logged")
	list, err := k.ingresses("playground").List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	require.Empty(t, list.Items, "nothing was created")
}

// requireConditions waits until the object's status has every named
// condition True.
func requireConditions(t *testing.T, get func(ctx context.Context, name string, opts metav1.GetOptions, sub ...string) (*unstructured.Unstructured, error), name string, types ...string) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		obj, err := get(t.Context(), name, metav1.GetOptions{})
		require.NoError(c, err)
		conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
		status := map[string]string{}
		for _, raw := range conds {
			m, _ := raw.(map[string]any)
			typ, _ := m["type"].(string)
			st, _ := m["status"].(string)
			status[typ] = st + " " + fmtString(m["reason"]) + " " + fmtString(m["message"])
		}
		for _, typ := range types {
			require.Contains(c, status, typ)
			require.Regexp(c, "^True ", status[typ], "%s", typ)
		}
	}, 30*time.Second, 50*time.Millisecond, "conditions of %s", name)
}

func fmtString(v any) string {
	s, _ := v.(string)
	return s
}

// flowObjects lists the EventSources and Sensors of the web UI's graph at
// addr, as "kind namespace/name".
func flowObjects(c *assert.CollectT, addr string) []string {
	resp, err := http.Get("http://" + addr + "/api/v1/flow")
	require.NoError(c, err)
	defer resp.Body.Close()
	require.Equal(c, http.StatusOK, resp.StatusCode)
	var flow ui.Flow
	require.NoError(c, json.NewDecoder(resp.Body).Decode(&flow))
	var out []string
	for _, n := range flow.Nodes {
		if n.Kind == ui.KindEventSource || n.Kind == ui.KindSensor {
			out = append(out, n.Kind+" "+n.Namespace+"/"+n.Name)
		}
	}
	return out
}
