package resource

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestAddUpdateDeleteOfServices(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	r := startSource(t, testEnv(), svcConfig(ns), nil)

	created := svcs.create("web", map[string]string{"app": "web"}, map[string]string{"host": "a.example"})
	add := r.next(t)
	require.Equal(t, "ADD web", add.brief())
	require.Nil(t, add.OldBody)
	require.Equal(t, string(created.UID), add.uid())
	require.Equal(t, "a.example", add.annotation(add.Body, "host"))

	svcs.annotate("web", "host", "b.example")
	upd := r.next(t)
	require.Equal(t, "UPDATE web", upd.brief())
	require.Equal(t, "b.example", upd.annotation(upd.Body, "host"))
	require.Equal(t, "a.example", upd.annotation(upd.OldBody, "host"), "oldBody is the object before the update")

	svcs.delete("web")
	del := r.next(t)
	require.Equal(t, "DELETE web", del.brief())
	require.Nil(t, del.OldBody)
	require.Equal(t, "b.example", del.annotation(del.Body, "host"))

	require.Equal(t, "resource", del.ev.Type)
	require.Equal(t, "watcher", del.ev.Source)
	require.Equal(t, "svc-events", del.ev.Subject)
	require.NoError(t, del.ev.Validate())
	require.NotEqual(t, add.ev.ID, del.ev.ID)
}

func TestExistingObjectsAreReportedAsAddedAtStart(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	svcs.create("one", nil, nil)
	svcs.create("two", nil, nil)
	r := startSource(t, testEnv(), svcConfig(ns), nil)
	require.ElementsMatch(t, []string{"ADD one", "ADD two"}, r.nextN(t, 2))
}

// TestReportsStartedOnceSynced: the source says it has started once its
// watch has handled the initial list (startSource waits for that).
func TestReportsStartedOnceSynced(t *testing.T) {
	ns := newNamespace(t)
	env := testEnv()
	var reported atomic.Int32
	env.Started = func() { reported.Add(1) }
	startSource(t, env, svcConfig(ns), nil)
	require.Equal(t, int32(1), reported.Load())
}

func TestFilters(t *testing.T) {
	future := metav1.NewTime(time.Now().Add(time.Hour))
	on := map[string]string{"app": "on"}
	off := map[string]string{"app": "off"}
	cases := []struct {
		name   string
		types  []v1alpha1.ResourceEventType
		filter v1alpha1.ResourceFilter
		// act changes Services; want lists the events it must produce, in
		// order, before the ADD of the "zz-sentinel" Service that ends
		// every case (the filter must let the sentinel through).
		act  func(s services)
		want []string
	}{{
		name:   "labels equal",
		filter: v1alpha1.ResourceFilter{Labels: []v1alpha1.Selector{{Key: "app", Operation: "==", Value: "on"}}},
		act: func(s services) {
			s.create("a", off, nil)
			s.create("b", on, nil)
		},
		want: []string{"ADD b"},
	}, {
		name:   "labels entering and leaving the selector",
		filter: v1alpha1.ResourceFilter{Labels: []v1alpha1.Selector{{Key: "app", Value: "on"}}},
		act: func(s services) {
			s.create("a", off, nil)
			s.label("a", on)
			s.annotate("a", "x", "1")
			s.label("a", off)
			s.annotate("a", "x", "2")
			s.delete("a")
		},
		want: []string{"ADD a", "UPDATE a", "DELETE a"},
	}, {
		name:   "labels in and exists",
		filter: v1alpha1.ResourceFilter{Labels: []v1alpha1.Selector{{Key: "app", Operation: "in", Value: "on,zz"}, {Key: "tier", Operation: "exists"}}},
		act: func(s services) {
			s.create("a", map[string]string{"app": "on"}, nil)
			s.create("b", map[string]string{"app": "on", "tier": "x"}, nil)
			s.create("c", map[string]string{"app": "off", "tier": "x"}, nil)
		},
		want: []string{"ADD b"},
	}, {
		name:   "field regex",
		filter: v1alpha1.ResourceFilter{Fields: []v1alpha1.Selector{{Key: "metadata.annotations.host", Operation: "==", Value: ".+"}}},
		act: func(s services) {
			s.create("a", nil, nil)
			s.create("b", nil, map[string]string{"host": ""})
			s.create("c", nil, map[string]string{"host": "c.example"})
			s.annotate("a", "host", "a.example")
			s.delete("b")
			s.delete("c")
		},
		want: []string{"ADD c", "UPDATE a", "DELETE c"},
	}, {
		name:   "field not equal, empty operation and numbers",
		filter: v1alpha1.ResourceFilter{Fields: []v1alpha1.Selector{{Key: "metadata.name", Operation: "!=", Value: "^skip"}, {Key: "spec.ports.0.port", Value: "^8080$"}}},
		act: func(s services) {
			s.create("skip-me", nil, nil)
			s.create("keep-me", nil, nil)
		},
		want: []string{"ADD keep-me"},
	}, {
		name:   "prefix",
		filter: v1alpha1.ResourceFilter{Prefix: "zz-"},
		act: func(s services) {
			s.create("a", nil, nil)
			s.create("zz-a", nil, nil)
			s.delete("a")
			s.delete("zz-a")
		},
		want: []string{"ADD zz-a", "DELETE zz-a"},
	}, {
		name:  "event types",
		types: []v1alpha1.ResourceEventType{v1alpha1.DELETE, v1alpha1.ADD},
		act: func(s services) {
			s.create("a", nil, nil)
			s.annotate("a", "x", "1")
			s.delete("a")
		},
		want: []string{"ADD a", "DELETE a"},
	}, {
		name:   "createdBy in the future keeps them",
		filter: v1alpha1.ResourceFilter{CreatedBy: future},
		act:    func(s services) { s.create("a", nil, nil) },
		want:   []string{"ADD a"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ns := newNamespace(t)
			cfg := svcConfig(ns)
			if tc.types != nil {
				cfg.EventTypes = tc.types
			}
			cfg.Filter = &tc.filter
			r := startSource(t, testEnv(), cfg, oneWorker)
			s := services{t: t, ns: ns}
			tc.act(s)
			s.create("zz-sentinel", map[string]string{"app": "on", "tier": "x"}, map[string]string{"host": "s"})
			got := r.nextN(t, len(tc.want)+1)
			require.Equal(t, append(tc.want, "ADD zz-sentinel"), got)
		})
	}
}

func TestAfterStart(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	svcs.create("before", nil, nil)
	cfg := svcConfig(ns)
	cfg.Filter = &v1alpha1.ResourceFilter{AfterStart: true}
	r := startSource(t, testEnv(), cfg, oneWorker)
	svcs.create("after", nil, nil)
	require.Equal(t, "ADD after", r.next(t).brief())
	svcs.annotate("before", "x", "1")
	require.Equal(t, "UPDATE before", r.next(t).brief(), "an update made after start passes")
	svcs.delete("before")
	require.Equal(t, "DELETE before", r.next(t).brief())
}

func TestAllNamespaces(t *testing.T) {
	ns1, ns2 := newNamespace(t), newNamespace(t)
	prefix := "all-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-"
	cfg := svcConfig("")
	cfg.Filter = &v1alpha1.ResourceFilter{Prefix: prefix}
	r := startSource(t, testEnv(), cfg, nil)
	services{t: t, ns: ns1}.create(prefix+"a", nil, nil)
	services{t: t, ns: ns2}.create(prefix+"b", nil, nil)
	got := map[string]string{}
	for range 2 {
		d := r.next(t)
		md := d.Body["metadata"].(map[string]any)
		got[d.name()] = md["namespace"].(string)
	}
	require.Equal(t, map[string]string{prefix + "a": ns1, prefix + "b": ns2}, got)
}

func TestSourcesShareOneInformer(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	env := testEnv()
	pool := informersOf(env.Shared)
	cfgA := svcConfig(ns)
	cfgA.Filter = &v1alpha1.ResourceFilter{Labels: []v1alpha1.Selector{{Key: "team", Value: "a"}}}
	cfgB := svcConfig(ns)
	cfgB.Filter = &v1alpha1.ResourceFilter{Labels: []v1alpha1.Selector{{Key: "team", Value: "b"}}}
	a := startSource(t, env, cfgA, oneWorker)
	b := startSource(t, env, cfgB, oneWorker)
	other := startSource(t, env, svcConfig(newNamespace(t)), nil)
	require.Equal(t, 2, pool.running(), "one informer for the shared namespace, one for the other")

	svcs.create("for-a", map[string]string{"team": "a"}, nil)
	svcs.create("for-b", map[string]string{"team": "b"}, nil)
	require.Equal(t, "ADD for-a", a.next(t).brief())
	require.Equal(t, "ADD for-b", b.next(t).brief())

	a.Stop()
	require.Equal(t, 2, pool.running(), "the informer stays while b uses it")
	svcs.annotate("for-b", "x", "1")
	require.Equal(t, "UPDATE for-b", b.next(t).brief())
	b.Stop()
	other.Stop()
	require.Equal(t, 0, pool.running(), "informers stop with their last source")

	// A new source after that starts a new informer.
	c := startSource(t, env, cfgA, nil)
	require.Equal(t, "ADD for-a", c.next(t).brief())
}

func TestEventsOfOneObjectKeepTheirOrder(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	r := startSource(t, testEnv(), svcConfig(ns), func(s *source) { s.workers = 8 })
	const updates = 30
	for i := range 3 {
		svcs.create(fmt.Sprintf("burst-%d", i), nil, nil)
	}
	for u := 1; u <= updates; u++ {
		for i := range 3 {
			svcs.annotate(fmt.Sprintf("burst-%d", i), "n", strconv.Itoa(u))
		}
	}
	for i := range 3 {
		svcs.delete(fmt.Sprintf("burst-%d", i))
	}
	perObject := map[string][]string{}
	total := 3 * (updates + 2)
	for range total {
		d := r.next(t)
		step := d.Type
		if d.Type == "UPDATE" {
			step += " " + d.annotation(d.Body, "n")
			require.Equal(t, d.annotation(d.OldBody, "n"), prevN(d.annotation(d.Body, "n")), "oldBody is the previous update")
		}
		perObject[d.name()] = append(perObject[d.name()], step)
	}
	expected := []string{"ADD"}
	for u := 1; u <= updates; u++ {
		expected = append(expected, "UPDATE "+strconv.Itoa(u))
	}
	expected = append(expected, "DELETE")
	require.Len(t, perObject, 3)
	for name, steps := range perObject {
		require.Equal(t, expected, steps, "events of %s", name)
	}
}

func prevN(n string) string {
	i, _ := strconv.Atoi(n)
	if i <= 1 {
		return ""
	}
	return strconv.Itoa(i - 1)
}

// TestServiceHelper guards the helper objects: the Services the tests
// create are headless and have one port 8080, which the "numbers" field case
// relies on.
func TestServiceHelper(t *testing.T) {
	svc := services{t: t, ns: newNamespace(t)}.create("x", nil, nil)
	require.Equal(t, corev1.ClusterIPNone, svc.Spec.ClusterIP)
	require.Equal(t, int32(8080), svc.Spec.Ports[0].Port)
}
