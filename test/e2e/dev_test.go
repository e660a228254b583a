package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/herald-dev/herald/internal/testenv"
)

// TestDevRunsTheExampleAndCleansUp runs `herald dev -f examples/auto-ingress/`
// as `make demo` does: it brings its own control plane, applies the
// namespaces and RBAC, and makes the Ingress for fortune.yaml's Service. On
// SIGTERM it stops everything, the control plane included.
func TestDevRunsTheExampleAndCleansUp(t *testing.T) {
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	assets, err := testenv.AssetsDir()
	require.NoError(t, err)
	dir := t.TempDir()
	metrics := freePort(t)
	p := startHerald(t, "dev", "-f", filepath.Join(root, "examples", "auto-ingress"), "--assets", assets,
		"--dir", filepath.Join(dir, "dev"), "--metrics-addr", fmt.Sprintf("127.0.0.1:%d", metrics))

	require.Eventually(t, func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", metrics))
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 90*time.Second, 100*time.Millisecond, "herald dev becomes ready")

	cfg, err := clientcmd.BuildConfigFromFlags("", filepath.Join(dir, "dev", "kubeconfig"))
	require.NoError(t, err)
	k := newKube(t, cfg)
	k.applyFile(t, filepath.Join(root, "examples", "auto-ingress", "fortune.yaml"))
	require.Eventually(t, func() bool {
		_, err := k.ingresses("playground").Get(t.Context(), "fortune-svc-ingress", metav1.GetOptions{})
		return err == nil
	}, 30*time.Second, 50*time.Millisecond, "the Ingress appears")

	p.Stop(t)
	require.Equal(t, 0, p.ExitCode(), p.Output())
	require.Contains(t, p.Output(), "stopping the local control plane")
	_, err = k.services("playground").List(t.Context(), metav1.ListOptions{})
	require.Error(t, err, "the control plane is gone")
	_, statErr := os.Stat(filepath.Join(dir, "dev", "kubeconfig"))
	require.NoError(t, statErr, "the kubeconfig stays for the user to read")
}
