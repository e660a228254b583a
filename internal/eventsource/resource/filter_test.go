package resource

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// object is a Service-like object for the filter tables.
func object(created time.Time, managed ...metav1.ManagedFieldsEntry) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{
			"name": "fortune-svc", "namespace": "playground",
			"labels":      map[string]any{"app": "fortune"},
			"annotations": map[string]any{"host": "fortune.example", "empty": ""},
		},
		"spec": map[string]any{"ports": []any{map[string]any{"port": int64(8080)}}, "selector": map[string]any{"app": "fortune"}},
	}}
	u.SetCreationTimestamp(metav1.NewTime(created))
	u.SetManagedFields(managed)
	return u
}

func TestFieldMatchers(t *testing.T) {
	obj := object(time.Now())
	body, err := obj.MarshalJSON()
	require.NoError(t, err)
	cases := []struct {
		sel  v1alpha1.Selector
		want bool
	}{
		{v1alpha1.Selector{Key: "metadata.annotations.host", Operation: "==", Value: ".+"}, true},
		{v1alpha1.Selector{Key: "metadata.annotations.host", Operation: "=", Value: "^fortune"}, true},
		{v1alpha1.Selector{Key: "metadata.annotations.host", Value: "example"}, true},
		{v1alpha1.Selector{Key: "metadata.annotations.host", Operation: "!=", Value: "example"}, false},
		{v1alpha1.Selector{Key: "metadata.annotations.empty", Value: ".+"}, false},
		{v1alpha1.Selector{Key: "metadata.annotations.empty", Value: ""}, true},
		{v1alpha1.Selector{Key: "metadata.annotations.missing", Value: ""}, false},
		{v1alpha1.Selector{Key: "metadata.annotations.missing", Operation: "!=", Value: "x"}, false},
		{v1alpha1.Selector{Key: "spec.ports.0.port", Value: "^8080$"}, true},
		{v1alpha1.Selector{Key: "spec.selector", Value: `"app":"fortune"`}, true},
		{v1alpha1.Selector{Key: "metadata.name", Operation: "!=", Value: "^other"}, true},
	}
	for _, tc := range cases {
		m, err := newFieldMatcher(tc.sel)
		require.NoError(t, err)
		require.Equal(t, tc.want, m.matches(body), "%+v", tc.sel)
	}
}

func TestLabelSelectorsAreBuiltLikeArgo(t *testing.T) {
	cases := []struct {
		sels []v1alpha1.Selector
		want string
	}{
		{[]v1alpha1.Selector{{Key: "app", Value: "web"}}, "app=web"},
		{[]v1alpha1.Selector{{Key: "app", Operation: "==", Value: "web"}}, "app==web"},
		{[]v1alpha1.Selector{{Key: "app", Operation: "!=", Value: "web"}}, "app!=web"},
		{[]v1alpha1.Selector{{Key: "app", Operation: "in", Value: "a,b"}}, "app in (a,b)"},
		{[]v1alpha1.Selector{{Key: "app", Operation: "notin", Value: "a,b"}}, "app notin (a,b)"},
		{[]v1alpha1.Selector{{Key: "app", Operation: "exists"}}, "app"},
		{[]v1alpha1.Selector{{Key: "app", Operation: "!"}}, "!app"},
		{[]v1alpha1.Selector{{Key: "n", Operation: "gt", Value: "2"}, {Key: "app", Value: "web"}}, "app=web,n>2"},
	}
	for _, tc := range cases {
		sel, err := labelSelector(tc.sels)
		require.NoError(t, err)
		require.Equal(t, tc.want, sel.String())
	}
}

func TestPasses(t *testing.T) {
	started := time.Date(2026, 11, 26, 11, 30, 0, 500e6, time.UTC) // half a second into 11:30:00
	now := started.Add(time.Hour)
	update := func(at time.Time, op metav1.ManagedFieldsOperationType) metav1.ManagedFieldsEntry {
		t := metav1.NewTime(at)
		return metav1.ManagedFieldsEntry{Operation: op, Time: &t}
	}
	before, sameSecond, after := started.Add(-time.Minute), started.Truncate(time.Second), started.Add(time.Minute)
	deleting := object(before)
	deleting.SetDeletionTimestamp(&metav1.Time{Time: before})
	cases := []struct {
		name   string
		filter v1alpha1.ResourceFilter
		types  []v1alpha1.ResourceEventType
		ch     change
		want   bool
	}{
		{"type not wanted", v1alpha1.ResourceFilter{}, []v1alpha1.ResourceEventType{v1alpha1.ADD}, change{typ: v1alpha1.DELETE, obj: object(before)}, false},
		{"type wanted", v1alpha1.ResourceFilter{}, []v1alpha1.ResourceEventType{v1alpha1.ADD}, change{typ: v1alpha1.ADD, obj: object(before)}, true},
		{"afterStart: created before", v1alpha1.ResourceFilter{AfterStart: true}, nil, change{typ: v1alpha1.ADD, obj: object(before)}, false},
		{"afterStart: created after", v1alpha1.ResourceFilter{AfterStart: true}, nil, change{typ: v1alpha1.ADD, obj: object(after)}, true},
		{"afterStart: same second, seen by the watch", v1alpha1.ResourceFilter{AfterStart: true}, nil, change{typ: v1alpha1.ADD, obj: object(sameSecond)}, true},
		{"afterStart: same second, in the initial list", v1alpha1.ResourceFilter{AfterStart: true}, nil, change{typ: v1alpha1.ADD, obj: object(sameSecond), initial: true}, false},
		{"afterStart: updated after", v1alpha1.ResourceFilter{AfterStart: true}, nil, change{typ: v1alpha1.UPDATE, obj: object(before, update(after, metav1.ManagedFieldsOperationUpdate))}, true},
		{"afterStart: only applied after", v1alpha1.ResourceFilter{AfterStart: true}, nil, change{typ: v1alpha1.UPDATE, obj: object(before, update(after, metav1.ManagedFieldsOperationApply))}, false},
		{"afterStart: deleted now", v1alpha1.ResourceFilter{AfterStart: true}, nil, change{typ: v1alpha1.DELETE, obj: object(before)}, true},
		{"afterStart: deletion marked before", v1alpha1.ResourceFilter{AfterStart: true}, nil, change{typ: v1alpha1.DELETE, obj: deleting}, false},
		{"createdBy: created before", v1alpha1.ResourceFilter{CreatedBy: metav1.NewTime(started)}, nil, change{typ: v1alpha1.ADD, obj: object(before)}, true},
		{"createdBy: created after", v1alpha1.ResourceFilter{CreatedBy: metav1.NewTime(started)}, nil, change{typ: v1alpha1.UPDATE, obj: object(after)}, false},
		{"fields: all must match", v1alpha1.ResourceFilter{Fields: []v1alpha1.Selector{{Key: "metadata.name", Value: "fortune"}, {Key: "metadata.namespace", Value: "^other$"}}}, nil, change{typ: v1alpha1.ADD, obj: object(before)}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := svcConfig("playground")
			if tc.types != nil {
				rc.EventTypes = tc.types
			}
			rc.Filter = &tc.filter
			cfg, err := parseConfig(&rc)
			require.NoError(t, err)
			body, err := tc.ch.obj.MarshalJSON()
			require.NoError(t, err)
			require.Equal(t, tc.want, cfg.passes(tc.ch, body, started, now))
		})
	}
}

func TestInView(t *testing.T) {
	rc := svcConfig("playground")
	rc.Filter = &v1alpha1.ResourceFilter{Prefix: "fortune", Labels: []v1alpha1.Selector{{Key: "app", Value: "fortune"}}}
	cfg, err := parseConfig(&rc)
	require.NoError(t, err)
	obj := object(time.Now())
	require.True(t, cfg.inView(obj))
	obj.SetLabels(map[string]string{"app": "other"})
	require.False(t, cfg.inView(obj))
	obj.SetLabels(map[string]string{"app": "fortune"})
	obj.SetName("other-svc")
	require.False(t, cfg.inView(obj))
}
