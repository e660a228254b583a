package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	admissionregv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/herald-dev/herald/internal/testenv"
)

// crateSensor is ingress-sn with a misspelt k8s operation.
const crateSensor = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: crate
  namespace: playground
spec:
  dependencies:
    - name: tick
      eventSourceName: ingress-es
      eventName: svc-events
  triggers:
    - template:
        name: create-cm
        k8s:
          operation: crate
          source:
            resource:
              apiVersion: v1
              kind: ConfigMap
              metadata:
                generateName: cm-
`

// TestControllerAdmission runs `herald controller --admission-addr` with
// config/webhook's ValidatingWebhookConfiguration installed on a real API
// server: `kubectl apply` of a Sensor that `herald lint` rejects fails with
// lint's message and nothing is stored, while the auto-ingress example is
// admitted and runs.
func TestControllerAdmission(t *testing.T) {
	example := exampleDir(t, "auto-ingress")
	cp, err := testenv.StartControlPlane(testenv.WithValidatingWebhooks(filepath.Join(repoRoot(t), "config", "webhook")))
	require.NoError(t, err)
	t.Cleanup(func() { _ = cp.Stop() })
	k := newKube(t, cp.Config)
	// Namespaces and RBAC are not reviewed; the argoproj.io kinds are, and
	// are refused until the webhook answers (failurePolicy: Fail).
	for _, name := range []string{"namespaces.yaml", "rbac.yaml"} {
		k.applyFile(t, filepath.Join(example, name))
	}
	p := startHerald(t, "controller", "--kubeconfig", cp.Kubeconfig,
		"--data-dir", filepath.Join(t.TempDir(), "data"), "--metrics-addr", "", "--log-format", "json",
		"--admission-addr", cp.WebhookAddr, "--admission-cert-dir", cp.WebhookCertDir)

	sensorGVK := schema.GroupVersionKind{Group: "argoproj.io", Version: "v1alpha1", Kind: "Sensor"}
	sensors := k.resource(t, sensorGVK, "playground")
	probe := sensorObject(t, filepath.Join(example, "ingress-sn.yaml"))
	require.Eventually(t, func() bool {
		_, err := sensors.Create(t.Context(), probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err == nil
	}, 60*time.Second, 100*time.Millisecond, "the webhook admits a valid Sensor")

	t.Run("valid objects run", func(t *testing.T) {
		for _, name := range []string{"eventbus.yaml", "ingress-es.yaml", "ingress-sn.yaml"} {
			k.applyFile(t, filepath.Join(example, name))
		}
		requireConditions(t, sensors.Get, "ingress-sn", "DependenciesProvided", "TriggersProvided", "Deployed", "Running")
	})
	t.Run("update of a running sensor", func(t *testing.T) {
		// The object now has the controller's status: it is reviewed whole,
		// without a warning.
		out, err := exec.Command(cp.KubectlPath(), "--kubeconfig", cp.Kubeconfig, "-n", "playground", "patch", "sensor", "ingress-sn",
			"--type", "json", "-p", `[{"op":"replace","path":"/spec/triggers/0/template/name","value":"ingress-2"}]`).CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Equal(t, "sensor.argoproj.io/ingress-sn patched\n", string(out))
		out, err = exec.Command(cp.KubectlPath(), "--kubeconfig", cp.Kubeconfig, "-n", "playground", "patch", "sensor", "ingress-sn",
			"--type", "json", "-p", `[{"op":"replace","path":"/spec/triggers/0/template/k8s/operation","value":"crate"}]`).CombinedOutput()
		require.Error(t, err)
		require.Equal(t, `The Sensor "ingress-sn" is invalid: spec.triggers[0].template.k8s.operation: unknown operation "crate" (want create, update, patch, delete, apply)`,
			strings.TrimSpace(string(out)))
	})
	t.Run("invalid sensor is refused with lint's message", func(t *testing.T) {
		path := writeFile(t, t.TempDir(), "crate.yaml", crateSensor)
		lint, err := exec.Command(heraldBin, "lint", "--quiet", path).CombinedOutput()
		require.Error(t, err)
		lintLine, _, _ := strings.Cut(string(lint), "\n")
		_, lintMsg, ok := strings.Cut(lintLine, ".yaml:15: ")
		require.True(t, ok, "lint said: %s", lint)
		require.Equal(t, `spec.triggers[0].template.k8s.operation: unknown operation "crate" (want create, update, patch, delete, apply)`, lintMsg)

		out, err := exec.Command(cp.KubectlPath(), "--kubeconfig", cp.Kubeconfig, "apply", "-f", path).CombinedOutput()
		require.Error(t, err)
		require.Equal(t, `The Sensor "crate" is invalid: `+lintMsg, strings.TrimSpace(string(out)))
		_, err = sensors.Get(t.Context(), "crate", metav1.GetOptions{})
		require.Error(t, err, "nothing stored")
	})
	t.Run("stops cleanly", func(t *testing.T) {
		p.Stop(t)
		require.Equal(t, 0, p.ExitCode(), "%s", p.Output())
	})
}

// sensorObject reads a one-document manifest.
func sensorObject(t *testing.T, path string) *unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	objs := decodeObjects(t, data)
	require.Len(t, objs, 1)
	return objs[0]
}

// TestAdmissionInstallManifests builds config/with-admission (config/default
// plus the webhook) and sends every object to a real API server, as
// TestInstallManifests does for config/default, and checks that the
// Deployment's arguments are flags `herald controller` accepts.
func TestAdmissionInstallManifests(t *testing.T) {
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	cp, err := testenv.StartControlPlane(testenv.WithoutCRDs())
	require.NoError(t, err)
	t.Cleanup(func() { _ = cp.Stop() })
	out, err := exec.Command(cp.KubectlPath(), "kustomize", filepath.Join(root, "config", "with-admission")).Output()
	require.NoError(t, err, "kubectl kustomize config/with-admission: %s", stderrOf(err))
	objs := decodeObjects(t, out)

	k := newKube(t, cp.Config)
	var deployment *unstructured.Unstructured
	services := map[string]bool{}
	var webhookServices []string
	for _, o := range objs {
		res := k.resource(t, o.GroupVersionKind(), o.GetNamespace())
		_, err := res.Create(t.Context(), o, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"})
		require.NoError(t, err, "dry-run create of %s %s/%s", o.GetKind(), o.GetNamespace(), o.GetName())
		_, err = res.Create(t.Context(), o, metav1.CreateOptions{FieldValidation: "Strict"})
		require.NoError(t, err, "create of %s %s/%s", o.GetKind(), o.GetNamespace(), o.GetName())
		switch o.GetKind() {
		case "Deployment":
			deployment = o
		case "Service":
			services[o.GetNamespace()+"/"+o.GetName()] = true
		case "ValidatingWebhookConfiguration":
			var hook admissionregv1.ValidatingWebhookConfiguration
			require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &hook))
			for _, w := range hook.Webhooks {
				require.Equal(t, admissionregv1.Fail, *w.FailurePolicy)
				webhookServices = append(webhookServices, w.ClientConfig.Service.Namespace+"/"+w.ClientConfig.Service.Name)
			}
		}
	}
	require.Equal(t, []string{installNamespace + "/herald-webhook"}, webhookServices)
	require.True(t, services[webhookServices[0]], "the webhook's Service is installed")
	require.NotNil(t, deployment)

	var d appsv1.Deployment
	require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(deployment.Object, &d))
	c := d.Spec.Template.Spec.Containers[0]
	require.Contains(t, c.Args, "--admission-addr=:9443")
	require.True(t, slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.Name == "webhook" && p.ContainerPort == 9443 }),
		"the container names port 9443 webhook, the Service's targetPort")
	help, err := exec.Command(heraldBin, append(c.Args, "--help")...).CombinedOutput()
	require.NoError(t, err, "herald %v: %s", c.Args, help)
}
