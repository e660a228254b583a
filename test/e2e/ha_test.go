package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/herald-dev/herald/internal/testenv"
	"github.com/herald-dev/herald/internal/testenv/heraldproc"
)

// TestControllerReplicasShareAndHandOver runs three `herald controller
// --ha` processes against one API server and one JetStream server with the
// auto-ingress example. Each object runs on exactly one replica (its
// status says which). Killing (SIGKILL) the replica that runs the Sensor,
// then the one that runs the EventSource, moves their work to the
// survivors within seconds, and every Service created before, during and
// after the crashes gets its Ingress: no event is lost.
func TestControllerReplicasShareAndHandOver(t *testing.T) {
	bus, err := testenv.StartNATS()
	require.NoError(t, err)
	t.Cleanup(bus.Stop)
	runHA(t, 2, func(string) []string { return []string{"--bus-url", bus.URL} })
}

// TestControllerReplicasWithClusteredBus is the same with no NATS server
// of the test's: the three replicas' embedded servers form a JetStream
// cluster (streams with three copies). Killing one replica, the one
// running the Sensor, keeps a majority: the bus goes on, and the events
// the dead replica's server held are served by the others.
//
// It runs with HERALD_E2E_CLUSTER=1 (make test-cluster), not in make
// test: on a machine loaded by the whole suite it once saw the Sensor
// receive nothing for 90 s from a freshly formed cluster, with nothing
// logged (an open problem, see docs/eventbus.md); alone it passes.
func TestControllerReplicasWithClusteredBus(t *testing.T) {
	if os.Getenv("HERALD_E2E_CLUSTER") == "" {
		t.Skip("set HERALD_E2E_CLUSTER=1 (make test-cluster) to run the replicas on a clustered embedded bus")
	}
	ports := map[string]int{}
	var peers []string
	for _, id := range []string{"r1", "r2", "r3"} {
		ports[id] = freePort(t)
		peers = append(peers, "--bus-cluster-peer", fmt.Sprintf("127.0.0.1:%d", ports[id]))
	}
	runHA(t, 1, func(id string) []string {
		return append([]string{"--bus-server-name", id, "--bus-cluster-listen", fmt.Sprintf("127.0.0.1:%d", ports[id])}, peers...)
	})
}

// runHA runs three `herald controller --ha` replicas (busArgs gives each
// its bus flags) on the auto-ingress example, then kills up to kills of
// them — the one running the Sensor, then the one running the
// EventSource — creating Services all along, and checks that each object
// runs on one live replica and every Service gets its Ingress.
func runHA(t *testing.T, kills int, busArgs func(id string) []string) {
	example := exampleDir(t, "auto-ingress")
	cp, k := startCluster(t)
	cs, err := kubernetes.NewForConfig(cp.Config)
	require.NoError(t, err)
	_, err = cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "herald-system"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	for _, name := range []string{"namespaces.yaml", "rbac.yaml", "eventbus.yaml", "ingress-es.yaml", "ingress-sn.yaml"} {
		k.applyFile(t, filepath.Join(example, name))
	}

	replicas := map[string]*heraldproc.Process{}
	metrics := map[string]string{}
	dir := t.TempDir()
	for _, id := range []string{"r1", "r2", "r3"} {
		metrics[id] = fmt.Sprintf("127.0.0.1:%d", freePort(t))
		args := append([]string{
			"controller", "--kubeconfig", cp.Kubeconfig, "--ha", "--replica-id", id,
			"--lease-namespace", "herald-system", "--lease-duration", "2s", "--ui-addr", "",
			"--data-dir", filepath.Join(dir, id), "--metrics-addr", metrics[id], "--log-format", "json",
		}, busArgs(id)...)
		replicas[id] = startHerald(t, args...)
	}
	// On failure, say how far the events got on each replica.
	t.Cleanup(func() {
		if t.Failed() {
			for _, id := range []string{"r1", "r2", "r3"} {
				t.Logf("replica %s counters:\n%s", id, scrapeCounters(metrics[id], "herald_eventbus_", "herald_eventsource_events_published", "herald_sensor_events_received"))
			}
		}
	})
	sensors := k.resource(t, schema.GroupVersionKind{Group: "argoproj.io", Version: "v1alpha1", Kind: "Sensor"}, "playground")
	sources := k.resource(t, schema.GroupVersionKind{Group: "argoproj.io", Version: "v1alpha1", Kind: "EventSource"}, "playground")
	services, ingresses := k.services("playground"), k.ingresses("playground")

	created := 0
	createServices := func(n int) {
		for range n {
			name := fmt.Sprintf("ha-%03d", created)
			_, err := services.Create(t.Context(), burstService(name, name+".example.com", 8000+created), metav1.CreateOptions{})
			require.NoError(t, err)
			created++
		}
	}
	requireIngresses := func(why string) {
		t.Helper()
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			for i := range created {
				name := fmt.Sprintf("ha-%03d", i)
				ing, err := ingresses.Get(t.Context(), name+"-ingress", metav1.GetOptions{})
				require.NoError(c, err)
				port, _, _ := unstructured.NestedSlice(ing.Object, "spec", "rules")
				require.Len(c, port, 1)
				require.Contains(c, fmt.Sprint(port[0]), fmt.Sprintf("number:%d", 8000+i), "%s", name)
			}
		}, 90*time.Second, 100*time.Millisecond, why)
	}

	live := []string{"r1", "r2", "r3"}
	sensorOwner := runsOn(t, sensors, "ingress-sn", live)
	sourceOwner := runsOn(t, sources, "ingress-es", live)
	createServices(10)
	requireIngresses("before any crash")

	// The Sensor's replica crashes; Services keep coming meanwhile.
	replicas[sensorOwner].Kill()
	live = without(live, sensorOwner)
	createServices(10)
	require.NotEqual(t, sensorOwner, runsOn(t, sensors, "ingress-sn", live))
	requireIngresses("after the Sensor's replica crashed")

	if kills > 1 {
		// The EventSource's replica crashes (it may be the one that took
		// the Sensor over); Services keep coming meanwhile.
		if sourceOwner == sensorOwner {
			sourceOwner = runsOn(t, sources, "ingress-es", live)
		}
		replicas[sourceOwner].Kill()
		live = without(live, sourceOwner)
		createServices(10)
		require.Equal(t, live[0], runsOn(t, sources, "ingress-es", live))
		require.Equal(t, live[0], runsOn(t, sensors, "ingress-sn", live))
		requireIngresses("after the EventSource's replica crashed")
	}

	// A replica that stops cleanly releases its Lease.
	replicas[live[0]].Stop(t)
	_, err = cs.CoordinationV1().Leases("herald-system").Get(t.Context(), "herald-controller-"+live[0], metav1.GetOptions{})
	require.True(t, apierrors.IsNotFound(err), "the Lease of a replica that stopped is gone: %v", err)
}

// runsOn waits until the object's Deployed condition names one of the
// live replicas and returns it.
func runsOn(t *testing.T, res dynamic.ResourceInterface, name string, live []string) string {
	t.Helper()
	var owner string
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		obj, err := res.Get(t.Context(), name, metav1.GetOptions{})
		require.NoError(c, err)
		conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
		owner = ""
		for _, raw := range conds {
			m, _ := raw.(map[string]any)
			if m["type"] == "Deployed" && m["status"] == "True" {
				msg, _ := m["message"].(string)
				owner = msg[strings.LastIndex(msg, " ")+1:]
			}
		}
		require.Contains(c, live, owner, "%s runs on a live replica", name)
	}, 60*time.Second, 50*time.Millisecond)
	return owner
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

// scrapeCounters returns the lines of the /metrics at addr that start
// with one of prefixes (or why it could not be read).
func scrapeCounters(addr string, prefixes ...string) string {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err.Error()
	}
	var out []string
	for _, line := range strings.Split(string(body), "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(line, p) {
				out = append(out, line)
			}
		}
	}
	return strings.Join(out, "\n")
}
