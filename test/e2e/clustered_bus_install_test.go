package e2e

import (
	"os/exec"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/testenv"
)

// TestClusteredBusInstallManifests builds config/clustered-bus (config/default
// with a StatefulSet of three replicas embedding one JetStream cluster instead
// of the Deployment) and sends every object to a real API server, with
// dryRun=All and then for real; the StatefulSet's arguments must be flags
// `herald controller` accepts.
func TestClusteredBusInstallManifests(t *testing.T) {
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	cp, err := testenv.StartControlPlane(testenv.WithoutCRDs())
	require.NoError(t, err)
	t.Cleanup(func() { _ = cp.Stop() })

	out, err := exec.Command(cp.KubectlPath(), "kustomize", filepath.Join(root, "config", "clustered-bus")).Output()
	require.NoError(t, err, "kubectl kustomize config/clustered-bus: %s", stderrOf(err))
	objs := decodeObjects(t, out)
	require.Equal(t, map[string]int{
		"Namespace": 1, "CustomResourceDefinition": 3, "ServiceAccount": 1,
		"ClusterRole": 2, "ClusterRoleBinding": 2, "Role": 1, "RoleBinding": 1,
		"StatefulSet": 1, "Service": 2, "PodDisruptionBudget": 1,
	}, kindCounts(objs))
	createObjects(t, newKube(t, cp.Config), objs)

	sts := typedOne[appsv1.StatefulSet](t, objs, "StatefulSet")
	require.Equal(t, "herald-bus", sts.Spec.ServiceName)
	checkControllerArgs(t, sts.Spec.Template.Spec.Containers[0].Args)
}
