package testenv

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// TestRestartKeepsObjectsAndClients restarts the API server, then the API
// server and etcd: the same client (address, certificates) works again
// after each and finds the objects created before.
func TestRestartKeepsObjectsAndClients(t *testing.T) {
	c, err := StartControlPlane(WithoutCRDs())
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Stop() })
	cs, err := kubernetes.NewForConfig(c.Config)
	require.NoError(t, err)
	cms := cs.CoreV1().ConfigMaps("default")
	_, err = cms.Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kept"}}, metav1.CreateOptions{})
	require.NoError(t, err)

	for name, restart := range map[string]func() error{"api server": c.RestartAPIServer, "api server and etcd": c.RestartAll} {
		require.NoError(t, restart(), name)
		require.Eventually(t, func() bool {
			_, err := cms.Get(t.Context(), "kept", metav1.GetOptions{})
			return err == nil
		}, 30*time.Second, 100*time.Millisecond, "after restarting the %s", name)
	}
}
