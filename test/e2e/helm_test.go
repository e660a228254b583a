package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/herald-dev/herald/internal/testenv"
)

// The release names the tests render the chart with: helmRelease gives the
// object names config/default uses, so the kustomize checks apply; the other
// values are rendered as altRelease, whose objects are named apart.
const (
	helmRelease = "herald"
	altRelease  = "herald-alt"
)

// TestHelmChart renders charts/herald with `helm template` and sends every
// object to a real API server, as TestInstallManifests does for
// config/default (dryRun=All, strict field validation), then installs,
// upgrades (replicas=3) and uninstalls it there with helm itself. It checks
// the controller's rights and arguments, that the chart's CRDs, RBAC rules,
// Deployment and Service match config/default's, and what other values give.
func TestHelmChart(t *testing.T) {
	helm := helmPath(t)
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	cp, err := testenv.StartControlPlane(testenv.WithoutCRDs())
	require.NoError(t, err)
	t.Cleanup(func() { _ = cp.Stop() })
	k := newKube(t, cp.Config)

	objs := helmTemplate(t, helm, root, helmRelease)
	require.Equal(t, map[string]int{
		"CustomResourceDefinition": 3, "ServiceAccount": 1,
		"ClusterRole": 2, "ClusterRoleBinding": 2, "Role": 1, "RoleBinding": 1,
		"Deployment": 1, "Service": 1,
	}, kindCounts(objs))
	// Helm installs into an existing namespace (or --create-namespace).
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": installNamespace},
	}}
	_, err = k.resource(t, ns.GroupVersionKind(), "").Create(t.Context(), ns, metav1.CreateOptions{})
	require.NoError(t, err)
	for _, o := range objs {
		createObject(t, k, o, true)
	}

	out := runHelm(t, helm, cp, "install", helmRelease, filepath.Join(root, "charts", "herald"), "--namespace", installNamespace)
	require.Contains(t, out, "STATUS: deployed")
	require.Contains(t, out, "kubectl -n herald-system rollout status deploy/herald-controller")
	for _, o := range objs {
		_, err := k.resource(t, o.GroupVersionKind(), o.GetNamespace()).Get(t.Context(), o.GetName(), metav1.GetOptions{})
		require.NoError(t, err, "%s %s/%s after helm install", o.GetKind(), o.GetNamespace(), o.GetName())
	}

	t.Run("rbac", func(t *testing.T) { checkControllerRBAC(t, cp) })
	t.Run("args", func(t *testing.T) { checkControllerArgs(t, controllerArgs(t, objs)) })
	t.Run("same as config/default", func(t *testing.T) { checkLikeKustomize(t, objs, kustomizeDefault(t, cp, root)) })

	t.Run("replicas=3", func(t *testing.T) {
		objs := helmTemplate(t, helm, root, helmRelease, "replicas=3", "ha.leaseDuration=10s")
		require.Equal(t, 1, kindCounts(objs)["PodDisruptionBudget"])
		args := controllerArgs(t, objs)
		require.Subset(t, args, []string{"--ha", "--replica-group=herald-controller", "--lease-duration=10s"})
		checkControllerArgs(t, args)
		out := runHelm(t, helm, cp, "upgrade", helmRelease, filepath.Join(root, "charts", "herald"),
			"--namespace", installNamespace, "--reuse-values", "--set", "replicas=3")
		require.Contains(t, out, "3 replicas run with --ha")
		require.Contains(t, out, "WARNING: busURLs is empty")
		u, err := k.resource(t, deploymentGVK, installNamespace).Get(t.Context(), "herald-controller", metav1.GetOptions{})
		require.NoError(t, err)
		d := deploymentOf(t, []*unstructured.Unstructured{u})
		require.Equal(t, int32(3), *d.Spec.Replicas)
		require.Equal(t, appsv1.RollingUpdateDeploymentStrategyType, d.Spec.Strategy.Type)
		_, err = k.resource(t, pdbGVK, installNamespace).Get(t.Context(), "herald-controller", metav1.GetOptions{})
		require.NoError(t, err)
	})

	t.Run("values", func(t *testing.T) {
		objs := helmTemplate(t, helm, root, altRelease,
			"namespaces={team-a,team-b}", "selector=herald.dev/managed=true",
			"busURLs={nats://nats-0:4222,nats://nats-1:4222}", "extraArgs={--trace-max-age=24h}",
			"log.level=debug", "webhookPorts[0].name=github", "webhookPorts[0].port=12000",
			"persistence.enabled=true", "persistence.size=1Gi", "goMemLimit=",
			"rbac.sourceRules[0].apiGroups={apps}", "rbac.sourceRules[0].resources={deployments}",
			"rbac.sourceRules[0].verbs={get,list,watch}")
		require.Equal(t, 1, kindCounts(objs)["PersistentVolumeClaim"])
		createVariant(t, k, objs)
		args := controllerArgs(t, objs)
		for _, want := range []string{
			"--namespace=team-a", "--namespace=team-b", "--selector=herald.dev/managed=true",
			"--bus-url=nats://nats-0:4222,nats://nats-1:4222", "--trace-max-age=24h", "--log-level=debug",
		} {
			require.Contains(t, args, want)
		}
		checkControllerArgs(t, args)
		d := deploymentOf(t, objs)
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			require.NotEqual(t, "GOMEMLIMIT", e.Name, "goMemLimit= sets no GOMEMLIMIT")
		}
		require.Equal(t, altRelease+"-data", d.Spec.Template.Spec.Volumes[0].PersistentVolumeClaim.ClaimName)
		require.Contains(t, servicePorts(t, objs), corev1.ServicePort{
			Name: "github", Port: 12000, TargetPort: intstr.FromString("github"), Protocol: corev1.ProtocolTCP,
		})
	})

	t.Run("ui", func(t *testing.T) {
		objs := helmTemplate(t, helm, root, altRelease, "ui.enabled=true", "ui.tokenSecret.name=herald-ui")
		createVariant(t, k, objs)
		require.Contains(t, servicePorts(t, objs), corev1.ServicePort{
			Name: "ui", Port: 9092, TargetPort: intstr.FromString("ui"), Protocol: corev1.ProtocolTCP,
		})
		args := controllerArgs(t, objs)
		require.Contains(t, args, "--ui-addr=:9092")
		help, err := exec.Command(heraldBin, "controller", "--help").CombinedOutput()
		require.NoError(t, err, "%s", help)
		if !strings.Contains(string(help), "--ui-addr") {
			t.Skip("herald controller has no --ui-addr yet: ui.enabled=true gives a flag it rejects")
		}
		checkControllerArgs(t, args)
	})

	t.Run("service monitor", func(t *testing.T) {
		objs := helmTemplate(t, helm, root, altRelease, "serviceMonitor.enabled=true", "serviceMonitor.labels.release=prometheus")
		require.Equal(t, 1, kindCounts(objs)["ServiceMonitor"])
	})

	t.Run("rejected values", func(t *testing.T) {
		cases := []struct {
			set  []string
			want string
		}{
			{[]string{"persistence.enabled=true", "replicas=3"}, "persistence.enabled needs replicas: 1"},
			{[]string{"log.level=verbose"}, "/log/level"},
			{[]string{"ha.leaseDuration=soon"}, "/ha/leaseDuration"},
			{[]string{"replica=3"}, "additional properties 'replica' not allowed"},
		}
		for _, tc := range cases {
			t.Run(strings.Join(tc.set, ","), func(t *testing.T) {
				out, err := exec.Command(helm, helmTemplateArgs(root, altRelease, tc.set...)...).CombinedOutput()
				require.Error(t, err, "%s", out)
				require.Contains(t, string(out), tc.want)
			})
		}
	})

	t.Run("uninstall keeps the CRDs", func(t *testing.T) {
		runHelm(t, helm, cp, "uninstall", helmRelease, "--namespace", installNamespace, "--wait")
		_, err := k.resource(t, deploymentGVK, installNamespace).Get(t.Context(), "herald-controller", metav1.GetOptions{})
		require.True(t, apierrors.IsNotFound(err), "the Deployment after helm uninstall: %v", err)
		crd := schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}
		_, err = k.resource(t, crd, "").Get(t.Context(), "sensors.argoproj.io", metav1.GetOptions{})
		require.NoError(t, err)
	})
}

// runHelm runs helm against the control plane, with its own cache and
// configuration folders, and returns what it printed.
func runHelm(t *testing.T, helm string, cp *testenv.ControlPlane, args ...string) string {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(helm, append(args, "--kubeconfig", cp.Kubeconfig)...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "helm %v: %s", args, out)
	return string(out)
}

// helmPath finds the helm binary: $HELM_BIN (`make test` sets it to the one
// built from tools/helm), else helm on $PATH. Without one the test fails
// under CI (CI=true) and is skipped elsewhere.
func helmPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HELM_BIN"); p != "" {
		return p
	}
	if p, err := exec.LookPath("helm"); err == nil {
		return p
	}
	const msg = "no helm: set HELM_BIN=$(tools/bin.sh helm helm.sh/helm/v3/cmd/helm) or run `make test`"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// helmTemplateArgs are the arguments of `helm template` rendering the chart
// as release, CRDs included, into installNamespace with the --set values given.
func helmTemplateArgs(root, release string, set ...string) []string {
	args := []string{"template", release, filepath.Join(root, "charts", "herald"), "--namespace", installNamespace, "--include-crds"}
	for _, s := range set {
		args = append(args, "--set", s)
	}
	return args
}

// helmTemplate renders the chart and decodes its objects.
func helmTemplate(t *testing.T, helm, root, release string, set ...string) []*unstructured.Unstructured {
	t.Helper()
	out, err := exec.Command(helm, helmTemplateArgs(root, release, set...)...).Output()
	require.NoError(t, err, "helm template %v: %s", set, stderrOf(err))
	return decodeObjects(t, out)
}

// createVariant creates the objects of a rendering with other values with
// dryRun=All, all but the CRDs the install already created.
func createVariant(t *testing.T, k *kube, objs []*unstructured.Unstructured) {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() != "CustomResourceDefinition" {
			createObject(t, k, o, true)
		}
	}
}

// checkLikeKustomize compares the chart's default objects with
// config/default's: the same CRDs, the same RBAC rules, the same pod but for
// the --log-level argument the chart adds, the same Service ports.
func checkLikeKustomize(t *testing.T, chart, kustomize []*unstructured.Unstructured) {
	t.Helper()
	for _, kind := range []string{"CustomResourceDefinition", "ClusterRole", "Role"} {
		field := "rules"
		if kind == "CustomResourceDefinition" {
			field = "spec"
		}
		require.Equal(t, fieldByName(kustomize, kind, field), fieldByName(chart, kind, field), "%s %s", kind, field)
	}

	want, got := deploymentOf(t, kustomize).Spec.Template.Spec, deploymentOf(t, chart).Spec.Template.Spec
	gc, wc := got.Containers[0], want.Containers[0]
	gc.Args = slices.DeleteFunc(gc.Args, func(a string) bool { return a == "--log-level=info" })
	gc.Image = wc.Image
	require.Equal(t, wc, gc)
	require.Equal(t, want.Volumes, got.Volumes)
	require.Equal(t, want.SecurityContext, got.SecurityContext)
	require.Equal(t, want.ServiceAccountName, got.ServiceAccountName)
	require.Equal(t, servicePorts(t, kustomize), servicePorts(t, chart))
}

// fieldByName maps the name of each object of kind to its top-level field.
func fieldByName(objs []*unstructured.Unstructured, kind, field string) map[string]any {
	m := map[string]any{}
	for _, o := range objs {
		if o.GetKind() == kind {
			m[o.GetName()] = o.Object[field]
		}
	}
	return m
}

// servicePorts returns the ports of the one Service of objs.
func servicePorts(t *testing.T, objs []*unstructured.Unstructured) []corev1.ServicePort {
	t.Helper()
	return typedOne[corev1.Service](t, objs, "Service").Spec.Ports
}

// The kinds the test reads back.
var (
	deploymentGVK = schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
	pdbGVK        = schema.GroupVersionKind{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"}
)
