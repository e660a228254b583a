package admission

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/internal/testenv"
)

var sensorsGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "sensors"}

// warnings collects the warnings the API server returns.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, msg)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.msgs
	w.msgs = nil
	return out
}

func object(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	var m map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(y), &m))
	return &unstructured.Unstructured{Object: m}
}

// TestOnAPIServer installs config/webhook's ValidatingWebhookConfiguration
// on a real kube-apiserver, serves the webhook, and creates Sensors through
// the API as kubectl does: an invalid one is refused with lint's message,
// a valid one is stored, lint's warnings come back as API warnings.
func TestOnAPIServer(t *testing.T) {
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	cp, err := testenv.StartControlPlane(testenv.WithValidatingWebhooks(filepath.Join(root, "config", "webhook")))
	require.NoError(t, err)
	t.Cleanup(func() { _ = cp.Stop() })

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, Options{Addr: cp.WebhookAddr, CertDir: cp.WebhookCertDir}) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})

	cfg := rest.CopyConfig(cp.Config)
	warned := &warnings{}
	cfg.WarningHandler = warned
	cs, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	_, err = cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	dyn, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	sensors := dyn.Resource(sensorsGVR).Namespace("team-a")

	// The server starts in the background: until it answers, the API
	// server refuses every Sensor (failurePolicy: Fail).
	require.Eventually(t, func() bool {
		_, err := sensors.Create(t.Context(), object(t, validSensor), metav1.CreateOptions{})
		return err == nil
	}, 30*time.Second, 50*time.Millisecond, "a valid Sensor is stored")
	require.Empty(t, warned.take())

	t.Run("invalid sensor", func(t *testing.T) {
		_, err := sensors.Create(t.Context(), object(t, invalidSensor), metav1.CreateOptions{})
		require.True(t, apierrors.IsInvalid(err), "%v", err)
		require.EqualError(t, err, `admission webhook "validate.herald.dev" denied the request: `+
			`spec.triggers[0].template.k8s.operation: unknown operation "crate" (want create, update, patch, delete, apply)`)
		_, err = sensors.Get(t.Context(), "crate", metav1.GetOptions{})
		require.True(t, apierrors.IsNotFound(err), "%v", err)
	})
	t.Run("update to invalid", func(t *testing.T) {
		obj, err := sensors.Get(t.Context(), "ok", metav1.GetOptions{})
		require.NoError(t, err)
		triggers, _, _ := unstructured.NestedSlice(obj.Object, "spec", "triggers")
		trigger, _ := triggers[0].(map[string]any)
		trigger["template"] = map[string]any{"name": "log", "log": map[string]any{"intervalSeconds": int64(-5)}}
		require.NoError(t, unstructured.SetNestedSlice(obj.Object, triggers, "spec", "triggers"))
		_, err = sensors.Update(t.Context(), obj, metav1.UpdateOptions{})
		require.True(t, apierrors.IsInvalid(err), "%v", err)
		require.ErrorContains(t, err, "spec.triggers[0].template.log.intervalSeconds: integer -5 out of range for uint64")
	})
	t.Run("warnings", func(t *testing.T) {
		// The CRD keeps unknown fields under template: lint warns of them.
		_, err := sensors.Create(t.Context(), object(t, warnedSensor), metav1.CreateOptions{})
		require.NoError(t, err)
		require.Equal(t, []string{`spec.triggers[0].template.atLeastOnce: unknown field "atLeastOnce", did you mean spec.triggers[0].atLeastOnce or spec.triggers[0].dlqTrigger.atLeastOnce?`}, warned.take())
	})
	t.Run("kubectl apply", func(t *testing.T) {
		// kubectl prints the causes of an Invalid status as it does for the
		// API server's own validation.
		out, err := exec.Command(cp.KubectlPath(), "--kubeconfig", cp.Kubeconfig, "apply", "-n", "team-a",
			"-f", filepath.Join(root, "internal", "cli", "testdata", "errors.yaml")).CombinedOutput()
		require.Error(t, err)
		require.Equal(t, `The Sensor "crate" is invalid: spec.triggers[0].template.k8s.operation: unknown operation "crate" (want create, update, patch, delete, apply)`,
			strings.TrimSpace(string(out)))
		path := filepath.Join(t.TempDir(), "two.yaml")
		require.NoError(t, os.WriteFile(path, []byte(twoErrorSensor), 0o600))
		out, err = exec.Command(cp.KubectlPath(), "--kubeconfig", cp.Kubeconfig, "apply", "-f", path).CombinedOutput()
		require.Error(t, err)
		require.Equal(t, `The Sensor "two" is invalid: 
* spec.triggers[1].parameters[0].src.dependencyName: unknown dependency "nope" (have "tick")
* spec.triggers[1].template.name: trigger name "a" is already used by spec.triggers[0]`, strings.TrimSpace(string(out)))
	})
	t.Run("delete", func(t *testing.T) {
		require.NoError(t, sensors.Delete(t.Context(), "ok", metav1.DeleteOptions{}))
	})
}
