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

	out, err := exec.Command(cp.KubectlPath(), "kustomize", filepath.Join(root, "config", "default")).Output()
	require.NoError(t, err, "kubectl kustomize config/default: %s", stderrOf(err))
	objs := decodeObjects(t, out)

	kinds := map[string]int{}
	for _, o := range objs {
		kinds[o.GetKind()]++
	}
	require.Equal(t, map[string]int{
		"Namespace": 1, "CustomResourceDefinition": 3, "ServiceAccount": 1,
		"ClusterRole": 2, "ClusterRoleBinding": 2, "Role": 1, "RoleBinding": 1,
		"Deployment": 1, "Service": 1, "PodDisruptionBudget": 1,
	}, kinds)

	// kubectl kustomize orders Namespaces and CRDs first, so each object's
	// prerequisites exist when it is sent.
	k := newKube(t, cp.Config)
	ctx := t.Context()
	var deployment *unstructured.Unstructured
	for _, o := range objs {
		res := k.resource(t, o.GroupVersionKind(), o.GetNamespace())
		_, err := res.Create(ctx, o, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"})
		require.NoError(t, err, "dry-run create of %s %s/%s", o.GetKind(), o.GetNamespace(), o.GetName())
		_, err = res.Create(ctx, o, metav1.CreateOptions{FieldValidation: "Strict"})
		require.NoError(t, err, "create of %s %s/%s", o.GetKind(), o.GetNamespace(), o.GetName())
		if o.GetKind() == "Deployment" {
			deployment = o
		}
	}

	t.Run("rbac", func(t *testing.T) { checkControllerRBAC(t, cp) })
	t.Run("args", func(t *testing.T) {
		var d appsv1.Deployment
		require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(deployment.Object, &d))
		c := d.Spec.Template.Spec.Containers[0]
		require.NotEmpty(t, c.Args)
		require.Equal(t, "controller", c.Args[0])
		// Cobra rejects an unknown flag before it prints the help.
		out, err := exec.Command(heraldBin, append(c.Args, "--help")...).CombinedOutput()
		require.NoError(t, err, "herald %v: %s", c.Args, out)
	})
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
