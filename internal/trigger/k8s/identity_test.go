package k8s

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

func TestActsAsTheSensorServiceAccount(t *testing.T) {
	ns := newNamespace(t)
	grant(t, ns, "allowed", "", []string{"configmaps"}, []string{"create", "get"})

	allowed := sensorIn(ns, "allowed")
	res, err := fire(t, build(t, allowed, &v1alpha1.StandardK8STrigger{Source: resource(t, configMapYAML("granted"))}), allowed, "ev", `{}`)
	require.NoError(t, err)
	require.Equal(t, "v1 ConfigMap "+ns+"/granted created", res.Ref)

	denied := sensorIn(ns, "nobody")
	_, err = fire(t, build(t, denied, &v1alpha1.StandardK8STrigger{Source: resource(t, configMapYAML("denied"))}), denied, "ev", `{}`)
	t.Log(err)
	require.True(t, apierrors.IsForbidden(err), "%v", err)
	require.True(t, trigger.IsTerminal(err))
	require.ErrorContains(t, err, "creating v1 ConfigMap "+ns+"/denied as system:serviceaccount:"+ns+":nobody: ")
	_, err = admin.Resource(cmGVR).Namespace(ns).Get(context.Background(), "denied", metav1.GetOptions{})
	require.True(t, apierrors.IsNotFound(err), "nothing created")
}

func TestDefaultServiceAccount(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	kind := NewKind(Options{Factory: factory, DefaultServiceAccount: "fallback"})
	tr, err := kind.New(testEnv(), sensor, k8sTriggerOf(&v1alpha1.StandardK8STrigger{Source: resource(t, configMapYAML("x"))}))
	require.NoError(t, err)
	_, err = fire(t, tr, sensor, "ev", `{}`)
	require.True(t, apierrors.IsForbidden(err), "%v", err)
	require.ErrorContains(t, err, "as system:serviceaccount:"+ns+":fallback: ")
}

// The kind registered in trigger.Default builds its clients from Env alone.
func TestRegisteredKind(t *testing.T) {
	kind, ok := trigger.Default.Lookup(Name)
	require.True(t, ok)
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	env := testEnv()
	env.Clients = nil
	tr, err := kind.New(env, sensor, k8sTriggerOf(&v1alpha1.StandardK8STrigger{Source: resource(t, configMapYAML("reg"))}))
	require.NoError(t, err)
	res, err := fire(t, tr, sensor, "ev", `{}`)
	require.NoError(t, err)
	require.Equal(t, "v1 ConfigMap "+ns+"/reg created", res.Ref)
}
