package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/internal/testenv"
)

// installNamespace is where config/default puts the controller.
const installNamespace = "herald-system"

// TestInstallManifests builds config/default with `kubectl kustomize` and
// sends every object to a real API server, first with dryRun=All and then
// for real, so the install manifests are known to be valid. It then checks
// what the controller's ServiceAccount may and may not do, and that the
// Deployment's arguments are flags `herald controller` accepts.
func TestInstallManifests(t *testing.T) {
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	// Without Herald's CRDs: the install brings its own.
	cp, err := testenv.StartControlPlane(testenv.WithoutCRDs())
	require.NoError(t, err)
	t.Cleanup(func() { _ = cp.Stop() })

	objs := kustomizeDefault(t, cp, root)

	require.Equal(t, map[string]int{
		"Namespace": 1, "CustomResourceDefinition": 3, "ServiceAccount": 1,
		"ClusterRole": 2, "ClusterRoleBinding": 2, "Role": 1, "RoleBinding": 1,
		"Deployment": 1, "Service": 1, "PodDisruptionBudget": 1,
	}, kindCounts(objs))

	// kubectl kustomize orders Namespaces and CRDs first, so each object's
	// prerequisites exist when it is sent.
	createObjects(t, newKube(t, cp.Config), objs)

	t.Run("rbac", func(t *testing.T) { checkControllerRBAC(t, cp) })
	t.Run("args", func(t *testing.T) { checkControllerArgs(t, controllerArgs(t, objs)) })
}

// kustomizeDefault builds config/default with the control plane's kubectl.
func kustomizeDefault(t *testing.T, cp *testenv.ControlPlane, root string) []*unstructured.Unstructured {
	t.Helper()
	out, err := exec.Command(cp.KubectlPath(), "kustomize", filepath.Join(root, "config", "default")).Output()
	require.NoError(t, err, "kubectl kustomize config/default: %s", stderrOf(err))
	return decodeObjects(t, out)
}

// createObjects creates objs in order on the API server, each first with
// dryRun=All and then for real.
func createObjects(t *testing.T, k *kube, objs []*unstructured.Unstructured) {
	t.Helper()
	for _, o := range objs {
		createObject(t, k, o, true)
		createObject(t, k, o, false)
	}
}

// createObject creates o with strict field validation, with dryRun=All when
// dryRun is set.
func createObject(t *testing.T, k *kube, o *unstructured.Unstructured, dryRun bool) {
	t.Helper()
	opts := metav1.CreateOptions{FieldValidation: "Strict"}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	_, err := k.resource(t, o.GroupVersionKind(), o.GetNamespace()).Create(t.Context(), o, opts)
	require.NoError(t, err, "create (dry run: %t) of %s %s/%s", dryRun, o.GetKind(), o.GetNamespace(), o.GetName())
}

// controllerArgs returns the arguments of the one Deployment's first
// container.
func controllerArgs(t *testing.T, objs []*unstructured.Unstructured) []string {
	t.Helper()
	return deploymentOf(t, objs).Spec.Template.Spec.Containers[0].Args
}

// deploymentOf returns the one Deployment of objs.
func deploymentOf(t *testing.T, objs []*unstructured.Unstructured) *appsv1.Deployment {
	t.Helper()
	return typedOne[appsv1.Deployment](t, objs, "Deployment")
}

// typedOne converts the one object of kind in objs to T.
func typedOne[T any](t *testing.T, objs []*unstructured.Unstructured, kind string) *T {
	t.Helper()
	var found []*T
	for _, o := range objs {
		if o.GetKind() == kind {
			v := new(T)
			require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, v))
			found = append(found, v)
		}
	}
	require.Len(t, found, 1, "%s objects", kind)
	return found[0]
}

// kindCounts counts objs by kind.
func kindCounts(objs []*unstructured.Unstructured) map[string]int {
	kinds := map[string]int{}
	for _, o := range objs {
		kinds[o.GetKind()]++
	}
	return kinds
}

// checkControllerArgs runs args through `herald controller --help`: Cobra
// rejects an unknown flag before it prints the help.
func checkControllerArgs(t *testing.T, args []string) {
	t.Helper()
	require.NotEmpty(t, args)
	require.Equal(t, "controller", args[0])
	out, err := exec.Command(heraldBin, append(args, "--help")...).CombinedOutput()
	require.NoError(t, err, "herald %v: %s", args, out)
}

// checkControllerRBAC asks the API server what the controller's
// ServiceAccount may do: its CRDs and their status, impersonating
// ServiceAccounts, watching Services, leases in its namespace; but not
// impersonating groups (system:masters), reading Secrets or writing what
// triggers create.
func checkControllerRBAC(t *testing.T, cp *testenv.ControlPlane) {
	cs, err := kubernetes.NewForConfig(cp.Config)
	require.NoError(t, err)
	user := "system:serviceaccount:" + installNamespace + ":herald-controller"
	cases := []struct {
		name    string
		attrs   authorizationv1.ResourceAttributes
		allowed bool
	}{
		{"watch sensors", authorizationv1.ResourceAttributes{Namespace: "team-a", Verb: "watch", Group: "argoproj.io", Resource: "sensors"}, true},
		{"list eventsources", authorizationv1.ResourceAttributes{Verb: "list", Group: "argoproj.io", Resource: "eventsources"}, true},
		{"get eventbus", authorizationv1.ResourceAttributes{Namespace: "team-a", Verb: "get", Group: "argoproj.io", Resource: "eventbus"}, true},
		{"patch sensor status", authorizationv1.ResourceAttributes{Namespace: "team-a", Verb: "patch", Group: "argoproj.io", Resource: "sensors", Subresource: "status"}, true},
		{"update eventsource status", authorizationv1.ResourceAttributes{Namespace: "team-a", Verb: "update", Group: "argoproj.io", Resource: "eventsources", Subresource: "status"}, true},
		{"update sensor spec", authorizationv1.ResourceAttributes{Namespace: "team-a", Verb: "update", Group: "argoproj.io", Resource: "sensors"}, false},
		{"impersonate a ServiceAccount", authorizationv1.ResourceAttributes{Namespace: "team-a", Verb: "impersonate", Resource: "serviceaccounts", Name: "deployer"}, true},
		{"impersonate system:masters", authorizationv1.ResourceAttributes{Verb: "impersonate", Resource: "groups", Name: "system:masters"}, false},
		{"impersonate a user", authorizationv1.ResourceAttributes{Verb: "impersonate", Resource: "users", Name: "admin"}, false},
		{"watch services", authorizationv1.ResourceAttributes{Namespace: "team-a", Verb: "watch", Resource: "services"}, true},
		{"create events", authorizationv1.ResourceAttributes{Namespace: "team-a", Verb: "create", Resource: "events"}, true},
		{"update leases at home", authorizationv1.ResourceAttributes{Namespace: installNamespace, Verb: "update", Group: "coordination.k8s.io", Resource: "leases"}, true},
		{"update leases elsewhere", authorizationv1.ResourceAttributes{Namespace: "team-a", Verb: "update", Group: "coordination.k8s.io", Resource: "leases"}, false},
		{"get secrets", authorizationv1.ResourceAttributes{Namespace: "team-a", Verb: "get", Resource: "secrets"}, false},
		{"create ingresses", authorizationv1.ResourceAttributes{Namespace: "team-a", Verb: "create", Group: "networking.k8s.io", Resource: "ingresses"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sar, err := cs.AuthorizationV1().SubjectAccessReviews().Create(t.Context(), &authorizationv1.SubjectAccessReview{
				Spec: authorizationv1.SubjectAccessReviewSpec{
					User:               user,
					Groups:             []string{"system:serviceaccounts", "system:serviceaccounts:" + installNamespace, "system:authenticated"},
					ResourceAttributes: &tc.attrs,
				},
			}, metav1.CreateOptions{})
			require.NoError(t, err)
			require.Equal(t, tc.allowed, sar.Status.Allowed, "%s: %s", user, sar.Status.Reason)
		})
	}
}

// decodeObjects reads a multi-document YAML stream.
func decodeObjects(t *testing.T, raw []byte) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(raw)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs
		}
		require.NoError(t, err)
		var obj map[string]any
		require.NoError(t, yaml.Unmarshal(doc, &obj))
		if len(obj) > 0 {
			objs = append(objs, &unstructured.Unstructured{Object: obj})
		}
	}
}

// stderrOf returns the standard error an exec.ExitError kept.
func stderrOf(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(exit.Stderr)
	}
	return ""
}
