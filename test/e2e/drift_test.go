package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/herald-dev/herald/internal/testenv"
)

// hackPatch is the merge patch of the scenario README's B3 row (b).
const hackPatch = `{"spec":{"rules":[{"host":"hacked.example","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"fortune-svc","port":{"number":1234}}}}]}}],"tls":[{"hosts":["hacked.example"],"secretName":"x"}]}}`

// TestAutoIngressDrift runs case B3 of the auto-ingress scenario with the
// herald binary and examples/auto-ingress-herald (k8s owner and reconcile)
// against a real API server whose garbage collector runs:
//
//   - (b) an edit of the generated Ingress is undone within 5 s, with no
//     Service change: spec is exactly expected/B3.ingress.yaml's again (host,
//     port, no tls); also when herald was down during the edit;
//   - (a) after the Service's annotations are removed and the Service is
//     deleted (no event passes the filter), the garbage collector removes
//     the Ingress within 5 s and herald does not bring it back.
func TestAutoIngressDrift(t *testing.T) {
	example := exampleDir(t, "auto-ingress-herald")
	expected := filepath.Join("testdata", "auto-ingress", "expected", "B3.ingress.yaml")

	cp, err := testenv.StartControlPlane(testenv.WithControllerManager())
	require.NoError(t, err)
	t.Cleanup(func() { _ = cp.Stop() })
	k := newKube(t, cp.Config)
	k.applyFile(t, filepath.Join(example, "namespaces.yaml"))
	k.applyFile(t, filepath.Join(example, "rbac.yaml"))

	dir := t.TempDir()
	args := []string{
		"run", "-f", example, "--kubeconfig", cp.Kubeconfig,
		"--data-dir", filepath.Join(dir, "data"), "--metrics-addr", "", "--log-format", "json",
	}
	herald := startHerald(t, args...)

	const name = "fortune-svc-ingress"
	playground := k.ingresses("playground")
	// waitB3 waits until the Ingress is expected/B3.ingress.yaml.
	waitB3 := func(t *testing.T, within time.Duration) {
		t.Helper()
		want := loadExpected(t, expected)
		resolveServiceUIDs(t, k, want)
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			got, err := playground.Get(t.Context(), name, metav1.GetOptions{})
			require.NoError(c, err)
			require.NoError(c, matchExpected(want, got))
		}, within, 50*time.Millisecond, "%s", expected)
	}
	// hack applies the B3 (b) patch and checks that it took.
	hack := func(t *testing.T) {
		t.Helper()
		got, err := playground.Patch(t.Context(), name, k8stypes.MergePatchType, []byte(hackPatch), metav1.PatchOptions{})
		require.NoError(t, err)
		spec, err := json.Marshal(got.Object["spec"])
		require.NoError(t, err)
		require.Contains(t, string(spec), "hacked.example")
		require.Contains(t, string(spec), `"tls"`)
	}

	mustRun := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}
	mustRun("B3", func(t *testing.T) {
		k.applyFile(t, filepath.Join(exampleDir(t, "auto-ingress"), "fortune.yaml"))
		// The first case also covers herald's start-up.
		waitB3(t, 60*time.Second)
	})
	mustRun("B3 (b) drift repaired", func(t *testing.T) {
		hack(t)
		waitB3(t, caseWithin)
	})
	mustRun("B3 (b) drift repaired after a restart", func(t *testing.T) {
		herald.Stop(t)
		hack(t)
		herald = startHerald(t, args...)
		// Herald's start-up (bus, informers) is included.
		waitB3(t, 30*time.Second)
		// Undone by reconcile, from the record stored before the restart
		// (the Service's ADD, if sent again, cannot create the Ingress).
		require.Eventually(t, func() bool { return strings.Contains(herald.Output(), `"msg":"drift repaired"`) },
			caseWithin, 50*time.Millisecond)
	})
	mustRun("B3 (a) garbage collected", func(t *testing.T) {
		unannotate := `{"metadata":{"annotations":{"autodeploy-ingress-host":null,"autodeploy-ingress-class":null}}}`
		_, err := k.services("playground").Patch(t.Context(), "fortune-svc", k8stypes.MergePatchType, []byte(unannotate), metav1.PatchOptions{})
		require.NoError(t, err)
		require.NoError(t, k.services("playground").Delete(t.Context(), "fortune-svc", metav1.DeleteOptions{}))
		absent := func() bool {
			_, err := playground.Get(t.Context(), name, metav1.GetOptions{})
			return apierrors.IsNotFound(err)
		}
		require.Eventually(t, absent, caseWithin, 50*time.Millisecond, "%s still exists", name)
		// It stays absent: herald does not undo the garbage collector.
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(caseWithin)
		for {
			require.True(t, absent(), "%s came back", name)
			select {
			case <-deadline:
				return
			case <-tick.C:
			}
		}
	})
}
