package k8s

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

// ownerConfigMap creates a ConfigMap named name in ns and returns it as a
// resource event's data ({"body": <object>}).
func ownerConfigMap(t *testing.T, ns, name string) (*corev1.ConfigMap, map[string]any) {
	t.Helper()
	cm, err := kube.CoreV1().ConfigMaps(ns).Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err)
	cm.APIVersion, cm.Kind = "v1", "ConfigMap" // as a resource event's body carries them
	raw, err := json.Marshal(cm)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body))
	return cm, map[string]any{"body": body, "type": "ADD"}
}

func TestOwner(t *testing.T) {
	tests := []struct {
		name string
		// owner is the trigger's owner option.
		owner *v1alpha1.K8SOwner
		// data edits the event data ({"body": owner ConfigMap, "type"}).
		data    func(data map[string]any)
		wantErr string
		wantRef bool
	}{
		{name: "set", owner: &v1alpha1.K8SOwner{DependencyName: "dep"}, wantRef: true},
		{name: "absent", owner: nil},
		{
			name: "other data key", owner: &v1alpha1.K8SOwner{DependencyName: "dep", DataKey: "obj"}, wantRef: true,
			data: func(d map[string]any) { d["obj"], d["body"] = d["body"], nil },
		},
		{
			name: "missing uid", owner: &v1alpha1.K8SOwner{DependencyName: "dep"},
			data: func(d map[string]any) {
				delete(d["body"].(map[string]any)["metadata"].(map[string]any), "uid")
			},
			wantErr: `owner: the object at "body" in the event of dependency "dep" has no [metadata.uid]`,
		},
		{
			name: "other namespace", owner: &v1alpha1.K8SOwner{DependencyName: "dep"},
			data: func(d map[string]any) {
				d["body"].(map[string]any)["metadata"].(map[string]any)["namespace"] = "elsewhere"
			},
			wantErr: "owner ConfigMap owner is in namespace elsewhere but the object is in namespace k8s-trigger-",
		},
		{
			name: "unknown dependency", owner: &v1alpha1.K8SOwner{DependencyName: "nope"},
			wantErr: `owner: no event of dependency "nope"`,
		},
		{
			name: "not an object", owner: &v1alpha1.K8SOwner{DependencyName: "dep", DataKey: "type"},
			wantErr: `owner: "type" in the event of dependency "dep" is not an object`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := newNamespace(t)
			sensor := sensorIn(ns, "")
			owner, data := ownerConfigMap(t, ns, "owner")
			if tt.data != nil {
				tt.data(data)
			}
			raw, err := json.Marshal(data)
			require.NoError(t, err)
			tr := build(t, sensor, &v1alpha1.StandardK8STrigger{Source: resource(t, configMapYAML("owned")), Owner: tt.owner})

			_, err = fire(t, tr, sensor, "ev-1", string(raw))
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.True(t, trigger.IsTerminal(err), "an owner error is terminal: %v", err)
				return
			}
			require.NoError(t, err)
			refs := getObj(t, cmGVR, ns, "owned").GetOwnerReferences()
			if !tt.wantRef {
				require.Empty(t, refs)
				return
			}
			require.Equal(t, []metav1.OwnerReference{{
				APIVersion: "v1", Kind: "ConfigMap", Name: "owner", UID: owner.UID, Controller: new(true),
			}}, refs, "exactly one reference, controller, without blockOwnerDeletion")
		})
	}
}

func TestOwnerFollowsANewOwnerOfTheSameName(t *testing.T) {
	ns := newNamespace(t)
	sensor := sensorIn(ns, "")
	tr := build(t, sensor, &v1alpha1.StandardK8STrigger{
		Operation: v1alpha1.K8sOperationUpdate, Source: resource(t, configMapYAML("owned")),
		Owner: &v1alpha1.K8SOwner{DependencyName: "dep"},
	})
	_, data := ownerConfigMap(t, ns, "owner")
	raw, _ := json.Marshal(data)
	_, err := fire(t, tr, sensor, "ev-1", string(raw))
	require.NoError(t, err)

	require.NoError(t, kube.CoreV1().ConfigMaps(ns).Delete(context.Background(), "owner", metav1.DeleteOptions{}))
	require.Eventually(t, func() bool {
		_, err := kube.CoreV1().ConfigMaps(ns).Get(context.Background(), "owned", metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	}, 10*time.Second, 20*time.Millisecond, "the garbage collector deletes the owned object")
	second, data := ownerConfigMap(t, ns, "owner")
	raw, _ = json.Marshal(data)
	_, err = fire(t, tr, sensor, "ev-2", string(raw))
	require.NoError(t, err)
	refs := getObj(t, cmGVR, ns, "owned").GetOwnerReferences()
	require.Len(t, refs, 1)
	require.Equal(t, second.UID, refs[0].UID)
}
