package fault

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/herald-dev/herald/internal/testenv"
	"github.com/herald-dev/herald/internal/testenv/heraldproc"
)

// route is what an annotated Service asks of its Ingress.
type route struct {
	host, class string
	port        int64
}

// autoIngress is the auto-ingress example run by herald against a real API
// server, with a churn of annotated Services in playground.
type autoIngress struct {
	cp       *testenv.ControlPlane
	dyn      dynamic.Interface
	args     []string
	herald   *heraldproc.Process
	mu       sync.Mutex
	want     map[string]route // Service name → its Ingress's route
	ops      atomic.Int64     // Service changes made
	services dynamic.ResourceInterface
}

// startAutoIngress starts a control plane and herald on the example, and
// waits until herald handles a first Service.
func startAutoIngress(t *testing.T) *autoIngress {
	example := exampleDir(t, "auto-ingress")
	cp, dyn := startCluster(t)
	applyFile(t, cp, filepath.Join(example, "namespaces.yaml"))
	applyFile(t, cp, filepath.Join(example, "rbac.yaml"))
	dir := t.TempDir()
	manifests := filepath.Join(dir, "manifests")
	require.NoError(t, os.Mkdir(manifests, 0o700))
	for _, name := range []string{"ingress-es.yaml", "ingress-sn.yaml", "eventbus.yaml"} {
		raw, err := os.ReadFile(filepath.Join(example, name))
		require.NoError(t, err)
		writeFile(t, manifests, name, string(raw))
	}
	a := &autoIngress{
		cp: cp, dyn: dyn, want: map[string]route{},
		services: dyn.Resource(serviceGVR).Namespace("playground"),
		args: []string{
			"run", "-f", manifests, "--kubeconfig", cp.Kubeconfig, "--data-dir", filepath.Join(dir, "data"),
			"--metrics-addr", "", "--ui-addr", "", "--log-level", cmp.Or(os.Getenv("HERALD_FAULT_LOG_LEVEL"), "info"),
		},
	}
	a.herald = startHerald(t, a.args...)
	ingresses := dyn.Resource(ingressGVR).Namespace("playground")
	a.apply(t.Context(), "warmup", route{host: "warmup.example.com", class: "nginx", port: 80})
	require.Eventually(t, func() bool {
		_, err := ingresses.Get(t.Context(), "warmup-ingress", metav1.GetOptions{})
		return err == nil || a.herald.Exited()
	}, 90*time.Second, 100*time.Millisecond, "herald created no Ingress for the warm-up Service")
	require.False(t, a.herald.Exited(), "herald exited")
	return a
}

// restartHerald kills herald with SIGKILL and starts it again.
func (a *autoIngress) restartHerald(t *testing.T) {
	a.herald.Kill()
	a.herald = startHerald(t, a.args...)
}

// churn makes changes to the Services svc-000..svc-(n-1) with 8 workers,
// each owning some Services so that the changes to one Service are in
// order: every Service is created, then updated (host, class or port) or
// deleted (and sometimes created again) at random, about 3 changes each.
// A change that fails (the API server is down) is tried again.
func (a *autoIngress) churn(ctx context.Context, n int) {
	const workers = 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(n)))
			var mine []string
			for i := w; i < n; i += workers {
				mine = append(mine, fmt.Sprintf("svc-%03d", i))
			}
			live := map[string]route{}
			for _, name := range mine {
				r := route{host: name + ".example.com", class: "nginx", port: int64(8000 + rng.IntN(1000))}
				a.change(ctx, name, &r)
				live[name] = r
			}
			for range 2 * len(mine) {
				name := mine[rng.IntN(len(mine))]
				r, exists := live[name]
				switch p := rng.IntN(10); {
				case !exists:
					r = route{host: name + ".example.com", class: "nginx", port: int64(8000 + rng.IntN(1000))}
					a.change(ctx, name, &r)
					live[name] = r
				case p < 2:
					a.change(ctx, name, nil)
					delete(live, name)
				case p < 5:
					r.host = fmt.Sprintf("%s-%d.example.com", name, rng.IntN(1000))
					a.change(ctx, name, &r)
					live[name] = r
				case p < 7:
					r.class = []string{"nginx", "traefik"}[rng.IntN(2)]
					a.change(ctx, name, &r)
					live[name] = r
				default:
					r.port = int64(8000 + rng.IntN(1000))
					a.change(ctx, name, &r)
					live[name] = r
				}
			}
		})
	}
	wg.Wait()
}

// change applies (r set) or deletes (r nil) a Service until the API server
// takes it, and records what its Ingress should then be.
func (a *autoIngress) change(ctx context.Context, name string, r *route) {
	for ctx.Err() == nil {
		var err error
		if r != nil {
			err = a.apply(ctx, name, *r)
		} else if err = a.services.Delete(ctx, name, metav1.DeleteOptions{}); apierrors.IsNotFound(err) {
			err = nil
		}
		if err == nil {
			break
		}
		t := time.NewTimer(100 * time.Millisecond) // the API server is away: try again
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if r != nil {
		a.want[name] = *r
	} else {
		delete(a.want, name)
	}
	a.ops.Add(1)
}

// apply creates or updates an annotated Service.
func (a *autoIngress) apply(ctx context.Context, name string, r route) error {
	svc := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{
			"name": name, "namespace": "playground",
			"annotations": map[string]any{"autodeploy-ingress-host": r.host, "autodeploy-ingress-class": r.class},
		},
		"spec": map[string]any{"ports": []any{map[string]any{"port": r.port}}},
	}}
	_, err := a.services.Apply(ctx, name, svc, metav1.ApplyOptions{FieldManager: "herald-fault", Force: true})
	return err
}

// requireConverged waits until the Ingresses of playground are exactly
// those the final Services ask for (the warm-up's included), name → host,
// class, backend Service and port.
func (a *autoIngress) requireConverged(t *testing.T, within time.Duration) {
	a.mu.Lock()
	want := map[string]route{"warmup-ingress": {host: "warmup.example.com", class: "nginx", port: 80}}
	for name, r := range a.want {
		want[name+"-ingress"] = r
	}
	a.mu.Unlock()
	ingresses := a.dyn.Resource(ingressGVR).Namespace("playground")
	var diff []string
	ok := assertEventually(within, func() bool {
		list, err := ingresses.List(t.Context(), metav1.ListOptions{})
		if err != nil {
			diff = []string{err.Error()}
			return false
		}
		got := map[string]route{}
		for i := range list.Items {
			got[list.Items[i].GetName()] = ingressRoute(&list.Items[i])
		}
		diff = routeDiff(want, got)
		return len(diff) == 0
	})
	if !ok {
		t.Fatalf("the Ingresses differ from what the final Services ask (%d Services), e.g.:\n%s",
			len(want), strings.Join(diff[:min(len(diff), 20)], "\n"))
	}
}

// assertEventually polls cond every 250ms until it holds or within passes.
func assertEventually(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		<-time.After(250 * time.Millisecond)
	}
}

// ingressRoute reads an Ingress's host, class and port; its backend must be
// the Service of its name.
func ingressRoute(ing *unstructured.Unstructured) route {
	class, _, _ := unstructured.NestedString(ing.Object, "spec", "ingressClassName")
	r := route{class: class}
	rules, _, _ := unstructured.NestedSlice(ing.Object, "spec", "rules")
	if len(rules) != 1 {
		return r
	}
	rule, _ := rules[0].(map[string]any)
	r.host, _ = rule["host"].(string)
	paths, _, _ := unstructured.NestedSlice(rule, "http", "paths")
	if len(paths) != 1 {
		return r
	}
	path, _ := paths[0].(map[string]any)
	backend, _, _ := unstructured.NestedMap(path, "backend", "service")
	if backend["name"] != strings.TrimSuffix(ing.GetName(), "-ingress") {
		r.host += " (backend " + fmt.Sprint(backend["name"]) + ")"
	}
	r.port, _, _ = unstructured.NestedInt64(backend, "port", "number")
	return r
}

// routeDiff lists the differences between the wanted and the actual
// Ingresses.
func routeDiff(want, got map[string]route) []string {
	var diff []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[name]
		switch {
		case !ok:
			diff = append(diff, "missing "+name)
		case g != want[name]:
			diff = append(diff, fmt.Sprintf("%s: %+v, want %+v", name, g, want[name]))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[name]; !ok {
			diff = append(diff, "extra "+name)
		}
	}
	return diff
}

// TestAutoIngressChurnWithSIGKILL runs the auto-ingress example during a
// churn of annotated Services (creates, updates of host, class and port,
// deletes, creates again) while herald is killed with SIGKILL at random
// points and restarted. Afterwards the Ingresses are exactly those the
// final Services ask for.
func TestAutoIngressChurnWithSIGKILL(t *testing.T) {
	services, kills := sized(100, 500), sized(2, 5)
	a := startAutoIngress(t)
	ctx, cancel := context.WithTimeout(t.Context(), sized(3*time.Minute, 20*time.Minute))
	defer cancel()
	total := int64(services * 3) // about: creates and 2 changes per Service
	injected := a.injectAt(ctx, kills, total, func() { a.restartHerald(t) })
	a.churn(ctx, services)
	require.NoError(t, ctx.Err(), "the churn timed out")
	got := <-injected
	a.requireConverged(t, sized(2*time.Minute, 10*time.Minute))
	t.Logf("%d Services, %d changes, %d SIGKILLs of herald; Ingresses match the final %d Services",
		services, a.ops.Load(), got, len(a.want))
}

// TestAutoIngressChurnWithAPIServerRestarts runs the same churn while the
// API server is restarted, and the API server and etcd together: herald's
// watches resume, a re-list reconciles what happened meanwhile, herald
// does not crash, and the Ingresses end up those the final Services ask.
func TestAutoIngressChurnWithAPIServerRestarts(t *testing.T) {
	services, restarts := sized(100, 500), sized(2, 6)
	a := startAutoIngress(t)
	ctx, cancel := context.WithTimeout(t.Context(), sized(4*time.Minute, 20*time.Minute))
	defer cancel()
	total := int64(services * 3)
	var n int
	injected := a.injectAt(ctx, restarts, total, func() {
		// Every other restart takes etcd down too.
		if n%2 == 0 {
			require.NoError(t, a.cp.RestartAPIServer())
		} else {
			require.NoError(t, a.cp.RestartAll())
		}
		n++
	})
	a.churn(ctx, services)
	require.NoError(t, ctx.Err(), "the churn timed out")
	got := <-injected
	a.requireConverged(t, sized(2*time.Minute, 10*time.Minute))
	require.False(t, a.herald.Exited(), "herald exited:\n%s", a.herald.Output())
	require.NotContains(t, a.herald.Output(), "panic:")
	t.Logf("%d Services, %d changes, %d control plane restarts (%d with etcd); Ingresses match the final %d Services; herald kept running",
		services, a.ops.Load(), got, got/2, len(a.want))
}

// injectAt runs fault count times at random points of the churn's total
// changes (between 10 % and 90 %), and sends the number injected.
func (a *autoIngress) injectAt(ctx context.Context, count int, total int64, fault func()) <-chan int {
	points := make([]int64, count)
	for i := range points {
		points[i] = total/10 + rand.Int64N(total*8/10)
	}
	slices.Sort(points)
	done := make(chan int, 1)
	go func() {
		n := 0
		defer func() { done <- n }()
		for _, p := range points {
			for a.ops.Load() < p {
				select {
				case <-ctx.Done():
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
			fault()
			n++
		}
	}()
	return done
}
