package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	logtrigger "github.com/herald-dev/herald/internal/trigger/log"
)

// caseWithin is how long a case may take, measured from the API call (the
// scenario README's "within 5 s"), and how long an "absent" case must stay
// absent.
const caseWithin = 5 * time.Second

// TestAutoIngress runs the auto-ingress scenario (examples/auto-ingress,
// cases C1–C7 of the scenario README) with the herald binary against a real
// API server: annotated Services in playground get a matching Ingress,
// others get nothing, and the log trigger logs each event once. There is no
// warm-up Service: herald must not lose the first event.
func TestAutoIngress(t *testing.T) {
	example := exampleDir(t, "auto-ingress")
	// The scenario's case manifests and expected results, copied unchanged
	// from the scenario folder; $HERALD_AUTOINGRESS_SCENARIO points at
	// another copy (a folder holding cases/ and expected/).
	scenario := filepath.Join("testdata", "auto-ingress")
	if dir := os.Getenv("HERALD_AUTOINGRESS_SCENARIO"); dir != "" {
		scenario = dir
	}
	expected := func(name string) string { return filepath.Join(scenario, "expected", name) }
	caseFile := func(name string) string { return filepath.Join(scenario, "cases", name) }

	cp, k := startCluster(t)
	k.applyFile(t, filepath.Join(example, "namespaces.yaml"))
	k.applyFile(t, filepath.Join(example, "rbac.yaml"))

	dir := t.TempDir()
	manifests := filepath.Join(dir, "manifests")
	require.NoError(t, os.Mkdir(manifests, 0o700))
	for _, name := range []string{"ingress-es.yaml", "ingress-sn.yaml", "eventbus.yaml"} {
		raw, err := os.ReadFile(filepath.Join(example, name))
		require.NoError(t, err)
		writeFile(t, manifests, name, string(raw))
	}
	p := startHerald(t, "run", "-f", manifests, "--kubeconfig", cp.Kubeconfig,
		"--data-dir", filepath.Join(dir, "data"), "--metrics-addr", "", "--log-format", "json")

	playground := k.ingresses("playground")
	const ingressName = "fortune-svc-ingress"
	// waitIngress waits until the Ingress matches an expected file and
	// returns its uid.
	waitIngress := func(t *testing.T, file string, within time.Duration) string {
		t.Helper()
		want := loadExpected(t, expected(file))
		var uid string
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			got, err := playground.Get(t.Context(), ingressName, metav1.GetOptions{})
			require.NoError(c, err)
			require.NoError(c, matchExpected(want, got))
			uid = string(got.GetUID())
		}, within, 50*time.Millisecond, "%s", file)
		return uid
	}
	// listIngresses returns the names of the Ingresses of a namespace.
	listIngresses := func(t *testing.T, namespace string) []string {
		t.Helper()
		list, err := k.ingresses(namespace).List(t.Context(), metav1.ListOptions{})
		require.NoError(t, err)
		names := make([]string, 0, len(list.Items))
		for _, it := range list.Items {
			names = append(names, it.GetName())
		}
		return names
	}

	// C1 to C4 build on each other: stop at the first that fails.
	var uid string
	mustRun := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}
	mustRun("C1", func(t *testing.T) {
		k.applyFile(t, filepath.Join(example, "fortune.yaml"))
		// The first case also covers herald's start-up (no warm-up).
		uid = waitIngress(t, "C1.ingress.yaml", 60*time.Second)
		require.Equal(t, []string{ingressName}, listIngresses(t, "playground"))
	})
	mustRun("C2", func(t *testing.T) {
		k.applyFile(t, caseFile("C2-fortune-svc-port-9090.yaml"))
		require.Equal(t, uid, waitIngress(t, "C2.ingress.yaml", caseWithin), "the Ingress was re-created")
	})
	mustRun("C3", func(t *testing.T) {
		k.applyFile(t, caseFile("C3-fortune-svc-host-changed.yaml"))
		require.Equal(t, uid, waitIngress(t, "C3.ingress.yaml", caseWithin), "the Ingress was re-created")
	})
	mustRun("C4", func(t *testing.T) {
		requireFirstLine(t, expected("C4.txt"), "absent")
		require.NoError(t, k.services("playground").Delete(t.Context(), "fortune-svc", metav1.DeleteOptions{}))
		require.Eventually(t, func() bool {
			_, err := playground.Get(t.Context(), ingressName, metav1.GetOptions{})
			return apierrors.IsNotFound(err)
		}, caseWithin, 50*time.Millisecond, "%s still exists", ingressName)
	})
	// staysAbsent fails as soon as an Ingress shows up in playground or
	// other during caseWithin.
	staysAbsent := func(t *testing.T) {
		t.Helper()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(caseWithin)
		for {
			require.Empty(t, listIngresses(t, "playground"), "new Ingress in playground")
			require.Empty(t, listIngresses(t, "other"), "new Ingress in other")
			select {
			case <-deadline:
				return
			case <-tick.C:
			}
		}
	}
	t.Run("C5", func(t *testing.T) {
		requireFirstLine(t, expected("C5.txt"), "absent")
		k.applyFile(t, caseFile("C5-plain-svc.yaml"))
		staysAbsent(t)
	})
	t.Run("C6", func(t *testing.T) {
		requireFirstLine(t, expected("C6.txt"), "absent")
		k.applyFile(t, caseFile("C6-fortune-svc-other-ns.yaml"))
		staysAbsent(t)
	})
	t.Run("C7", func(t *testing.T) {
		subset := loadExpected(t, expected("C7.log-event.subset.json"))
		lines := logTriggerLines(t, p.Output())
		wantOps := [][2]string{{"ADD", "create"}, {"UPDATE", "update"}, {"UPDATE", "update"}, {"DELETE", "delete"}}
		require.Len(t, lines, len(wantOps), "log trigger lines (C1–C4 only, none for C5/C6):\n%s", p.Output())
		for i, line := range lines {
			require.Equal(t, "ingress-sn", line.Sensor, "line %d", i)
			require.Equal(t, "log", line.Trigger, "line %d", i)
			require.Len(t, line.Events, 1, "line %d", i)
			ev, ok := line.Events["svc-dep"]
			require.True(t, ok, "line %d has no svc-dep event: %v", i, line.Events)
			require.Equal(t, "ingress-es", ev.EventSource, "line %d", i)
			require.Equal(t, "svc-events", ev.Event, "line %d", i)
			require.Equal(t, "resource", ev.Type, "line %d", i)
			var data map[string]any
			require.NoError(t, decodeJSON([]byte(ev.Data), &data), "line %d data %s", i, ev.Data)
			require.Equal(t, wantOps[i][0], data["type"], "line %d", i)
			require.Equal(t, wantOps[i][1], data["operation"], "line %d", i)
			require.Contains(t, ev.Data, `"operation":"`+wantOps[i][1]+`"`, "line %d", i)
			body, _ := data["body"].(map[string]any)
			meta, _ := body["metadata"].(map[string]any)
			require.Equal(t, "fortune-svc", meta["name"], "line %d", i)
			require.Equal(t, "playground", meta["namespace"], "line %d", i)
			if i == 0 {
				require.NoError(t, matchSubset(subset, data, "data"))
			}
		}
	})
}

// logTriggerLine is one JSON line of herald's log trigger: the message
// logtrigger.Message, the sensor and trigger keys of the Sensor's logger,
// and under "events" one group per dependency.
type logTriggerLine struct {
	Msg     string                     `json:"msg"`
	Sensor  string                     `json:"sensor"`
	Trigger string                     `json:"trigger"`
	EventID string                     `json:"event_id"`
	Events  map[string]logTriggerEvent `json:"events"`
}

// logTriggerEvent is one dependency's event in a log trigger line.
type logTriggerEvent struct {
	EventID     string `json:"event_id"`
	EventSource string `json:"eventsource"`
	Event       string `json:"event"`
	Type        string `json:"type"`
	Data        string `json:"data"`
}

// logTriggerLines returns the log trigger lines of herald's output, in order.
func logTriggerLines(t *testing.T, out string) []logTriggerLine {
	t.Helper()
	var lines []logTriggerLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var l logTriggerLine
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.Msg != logtrigger.Message {
			continue
		}
		lines = append(lines, l)
	}
	require.NoError(t, sc.Err())
	return lines
}

// requireFirstLine checks that an expected/*.txt file says what the test
// assumes it says.
func requireFirstLine(t *testing.T, path, want string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	first, _, _ := strings.Cut(string(raw), "\n")
	require.Equal(t, want, strings.TrimSpace(first), path)
}
