package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/herald-dev/herald/internal/testenv"
)

var workflowGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "workflows"}

// TestArgoWorkflowCorpusExample runs Argo Events' own example
// special-workflow-trigger-shortened.yaml, as written, against a real API
// server with a stand-in Workflow CRD: a webhook event makes Herald submit
// the Workflow, acting as the Sensor's operate-workflow-sa (which may only
// write Workflows), with the event's body as the Workflow's argument.
func TestArgoWorkflowCorpusExample(t *testing.T) {
	shared, err := testenv.SharedDir()
	require.NoError(t, err)
	cp, k := startCluster(t)
	k.applyFile(t, filepath.Join(repoRoot(t), "internal", "trigger", "argoworkflow", "testdata", "crds", "argoproj.io_workflows.yaml"))
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		_, err := k.dyn.Resource(workflowGVR).Namespace("default").List(t.Context(), metav1.ListOptions{})
		assert.NoError(c, err)
	}, 30*time.Second, 50*time.Millisecond, "the Workflow CRD is served")

	dir := t.TempDir()
	writeFile(t, dir, "rbac.yaml", operateWorkflowSA)
	k.applyFile(t, filepath.Join(dir, "rbac.yaml"))
	manifests := filepath.Join(dir, "manifests")
	require.NoError(t, os.Mkdir(manifests, 0o700))
	raw, err := os.ReadFile(filepath.Join(shared, "argo-compat", "examples", "sensors", "special-workflow-trigger-shortened.yaml"))
	require.NoError(t, err)
	writeFile(t, manifests, "sensor.yaml", string(raw))
	port := freePort(t)
	writeFile(t, manifests, "es.yaml", webhookEventSource("webhook", port))
	startHerald(t, "run", "-f", manifests, "--kubeconfig", cp.Kubeconfig, "--data-dir", filepath.Join(dir, "data"),
		"--webhook-host", "127.0.0.1", "--metrics-addr", "", "--ui-addr", "")

	url := fmt.Sprintf("http://127.0.0.1:%d/example", port)
	require.Eventually(t, func() bool {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{"message":"ok"}`))
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond)

	var wf *unstructured.Unstructured
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		wf, err = k.dyn.Resource(workflowGVR).Namespace("default").Get(t.Context(), "special-trigger", metav1.GetOptions{})
		assert.NoError(c, err)
	}, 60*time.Second, 50*time.Millisecond, "the Workflow is submitted")
	params, _, _ := unstructured.NestedSlice(wf.Object, "spec", "arguments", "parameters")
	require.Len(t, params, 1)
	require.JSONEq(t, `{"message":"ok"}`, params[0].(map[string]any)["value"].(string))
	require.Equal(t, "special-workflow-trigger-shortened", wf.GetLabels()["events.argoproj.io/sensor"])
	require.Equal(t, "argo-workflow-trigger", wf.GetLabels()["events.argoproj.io/trigger"])
}

// operateWorkflowSA is the ServiceAccount Argo Events' workflow examples
// name, with the right to submit Workflows in namespace default only.
const operateWorkflowSA = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: operate-workflow-sa
  namespace: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: operate-workflow
  namespace: default
rules:
- apiGroups: ["argoproj.io"]
  resources: ["workflows"]
  verbs: ["create", "get", "list", "watch", "patch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: operate-workflow
  namespace: default
subjects:
- kind: ServiceAccount
  name: operate-workflow-sa
  namespace: default
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: operate-workflow
`
