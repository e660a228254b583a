package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/herald-dev/herald/internal/testenv"
)

const (
	// burstServices is how many annotated Services the burst creates.
	burstServices = 200
	// burstWorkers is how many goroutines create them.
	burstWorkers = 8
	// burstHostSuffix follows a Service's name in its host annotation, as
	// in the scenario's expected/B4.txt.
	burstHostSuffix = "-192.168.39.152.nip.io"
	// burstWithin bounds the wait for the last Ingress (a hang, not a
	// performance target: the test asserts no timing).
	burstWithin = 3 * time.Minute
)

// burstResult holds the figures of one burst.
type burstResult struct {
	// total runs from the first Service create to the last correct Ingress
	// seen.
	total time.Duration
	// creating runs from the first Service create to the last one's return.
	creating time.Duration
	// latencies are, sorted, the per-Service times from its create to its
	// correct Ingress seen.
	latencies []time.Duration
}

func (r burstResult) servicesPerSecond() float64 {
	return burstServices / r.creating.Seconds()
}

func (r burstResult) ingressesPerSecond() float64 {
	return burstServices / r.total.Seconds()
}

// quantile returns the p-quantile of the per-Service latencies (nearest
// rank).
func (r burstResult) quantile(p float64) time.Duration {
	i := int(p*float64(len(r.latencies))+0.5) - 1
	return r.latencies[min(max(i, 0), len(r.latencies)-1)]
}

// TestAutoIngressBurst runs the auto-ingress scenario's B4 burst with the
// herald binary against a real API server: 200 annotated Services created
// as fast as 8 goroutines can must each get exactly their Ingress. It
// asserts correctness only and logs the figures.
func TestAutoIngressBurst(t *testing.T) {
	r := runBurst(t)
	t.Logf("%d Services: %.2fs from the first create to the last correct Ingress", burstServices, r.total.Seconds())
	t.Logf("created %.1f Services/s (%.2fs); %.1f Ingresses/s; ratio %.2f",
		r.servicesPerSecond(), r.creating.Seconds(), r.ingressesPerSecond(), r.ingressesPerSecond()/r.servicesPerSecond())
	t.Logf("per-Service latency: p50 %.3fs, p99 %.3fs, max %.3fs",
		r.quantile(0.50).Seconds(), r.quantile(0.99).Seconds(), r.latencies[len(r.latencies)-1].Seconds())
}

// BenchmarkAutoIngressBurst runs the burst of TestAutoIngressBurst once
// (b.N is ignored) and reports its figures.
func BenchmarkAutoIngressBurst(b *testing.B) {
	r := runBurst(b)
	b.ReportMetric(r.servicesPerSecond(), "services/s")
	b.ReportMetric(r.ingressesPerSecond(), "ingresses/s")
	b.ReportMetric(r.total.Seconds(), "seconds")
	b.ReportMetric(r.quantile(0.50).Seconds(), "p50-s")
}

// runBurst starts a control plane and herald on examples/auto-ingress,
// waits until herald handles a first Service, then creates the burst and
// waits until every Ingress is there and correct, with none extra.
func runBurst(tb testing.TB) burstResult {
	example := exampleDir(tb, "auto-ingress")
	cp, err := testenv.StartControlPlane()
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = cp.Stop() })
	k := newKube(tb, cp.Config)
	k.applyFile(tb, filepath.Join(example, "namespaces.yaml"))
	k.applyFile(tb, filepath.Join(example, "rbac.yaml"))

	dir := tb.TempDir()
	manifests := filepath.Join(dir, "manifests")
	require.NoError(tb, os.Mkdir(manifests, 0o700))
	for _, name := range []string{"ingress-es.yaml", "ingress-sn.yaml", "eventbus.yaml"} {
		raw, err := os.ReadFile(filepath.Join(example, name))
		require.NoError(tb, err)
		require.NoError(tb, os.WriteFile(filepath.Join(manifests, name), raw, 0o600))
	}
	startHerald(tb, "run", "-f", manifests, "--kubeconfig", cp.Kubeconfig,
		"--data-dir", filepath.Join(dir, "data"), "--metrics-addr", "", "--log-format", "json")

	services, ingresses := k.services("playground"), k.ingresses("playground")
	ctx := tb.Context()
	// Warm-up: herald is ready once a first Service gets its Ingress and
	// its deletion removes it again.
	_, err = services.Create(ctx, burstService("burst-warmup", "warmup.example.com", 7999), metav1.CreateOptions{})
	require.NoError(tb, err)
	require.Eventually(tb, func() bool {
		_, err := ingresses.Get(ctx, "burst-warmup-ingress", metav1.GetOptions{})
		return err == nil
	}, 60*time.Second, 50*time.Millisecond, "herald created no Ingress for the warm-up Service")
	require.NoError(tb, services.Delete(ctx, "burst-warmup", metav1.DeleteOptions{}))
	require.Eventually(tb, func() bool {
		_, err := ingresses.Get(ctx, "burst-warmup-ingress", metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	}, 30*time.Second, 50*time.Millisecond, "herald did not delete the warm-up Ingress")

	// Watch the Ingresses from now on, as the scenario measures.
	before, err := ingresses.List(ctx, metav1.ListOptions{})
	require.NoError(tb, err)
	w, err := ingresses.Watch(ctx, metav1.ListOptions{ResourceVersion: before.GetResourceVersion()})
	require.NoError(tb, err)
	defer w.Stop()

	// The burst: 8 goroutines create the Services, each noting when it
	// started its create.
	var created [burstServices]atomic.Int64
	work := make(chan int, burstServices)
	for i := range burstServices {
		work <- i
	}
	close(work)
	errs := make(chan error, burstServices)
	var wg sync.WaitGroup
	var creatingDone atomic.Int64
	for range burstWorkers {
		wg.Go(func() {
			for i := range work {
				name := fmt.Sprintf("burst-%03d", i)
				created[i].Store(time.Now().UnixNano())
				if _, err := services.Create(ctx, burstService(name, name+burstHostSuffix, 8000+i), metav1.CreateOptions{}); err != nil {
					errs <- fmt.Errorf("creating Service %s: %w", name, err)
				}
			}
		})
	}
	go func() {
		wg.Wait()
		creatingDone.Store(time.Now().UnixNano())
		close(errs)
	}()

	// Watch the Ingresses until every one is there and correct.
	var seen [burstServices]time.Time
	var last time.Time
	correct := 0
	problems := map[string]string{}
	timeout := time.NewTimer(burstWithin)
	defer timeout.Stop()
watching:
	for correct < burstServices {
		select {
		case e, ok := <-w.ResultChan():
			require.True(tb, ok, "the watch on Ingresses ended")
			ing, isObj := e.Object.(*unstructured.Unstructured)
			if !isObj || (e.Type != watch.Added && e.Type != watch.Modified) {
				continue
			}
			now := time.Now()
			n, problem := checkBurstIngress(ing)
			if problem != "" {
				problems[ing.GetName()] = problem
				continue
			}
			delete(problems, ing.GetName())
			if seen[n].IsZero() {
				seen[n], last = now, now
				correct++
			}
		case <-timeout.C:
			break watching
		}
	}
	wg.Wait()
	for err := range errs {
		require.NoError(tb, err)
	}
	require.Empty(tb, problems, "wrong or extra Ingresses")
	require.Equal(tb, burstServices, correct, "correct Ingresses after %s", burstWithin)
	// A last list: all 200, none wrong, none extra.
	list, err := ingresses.List(ctx, metav1.ListOptions{})
	require.NoError(tb, err)
	require.Len(tb, list.Items, burstServices)
	for i := range list.Items {
		_, problem := checkBurstIngress(&list.Items[i])
		require.Empty(tb, problem)
	}

	first := created[0].Load()
	r := burstResult{latencies: make([]time.Duration, 0, burstServices)}
	for i := range created {
		first = min(first, created[i].Load())
	}
	for i := range created {
		r.latencies = append(r.latencies, seen[i].Sub(time.Unix(0, created[i].Load())))
	}
	slices.Sort(r.latencies)
	r.total = last.Sub(time.Unix(0, first))
	r.creating = time.Duration(creatingDone.Load() - first)
	return r
}

// burstService is an annotated Service of the burst.
func burstService(name, host string, port int) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "Service",
		"metadata": map[string]any{
			"name":      name,
			"namespace": "playground",
			"annotations": map[string]any{
				"autodeploy-ingress-host":  host,
				"autodeploy-ingress-class": "nginx",
			},
		},
		"spec": map[string]any{
			"ports": []any{map[string]any{"port": int64(port)}},
		},
	}}
}

// checkBurstIngress returns the burst index of an Ingress, or what is
// wrong with it: a name outside the burst, or a host, class, backend
// Service or port that does not match its Service.
func checkBurstIngress(ing *unstructured.Unstructured) (int, string) {
	var n int
	if _, err := fmt.Sscanf(ing.GetName(), "burst-%03d-ingress", &n); err != nil || n < 0 || n >= burstServices ||
		ing.GetName() != fmt.Sprintf("burst-%03d-ingress", n) {
		return 0, "extra Ingress " + ing.GetName()
	}
	svc := fmt.Sprintf("burst-%03d", n)
	rules, _, _ := unstructured.NestedSlice(ing.Object, "spec", "rules")
	if len(rules) != 1 {
		return 0, fmt.Sprintf("%s: %d rules", ing.GetName(), len(rules))
	}
	rule, _ := rules[0].(map[string]any)
	paths, _, _ := unstructured.NestedSlice(rule, "http", "paths")
	if len(paths) != 1 {
		return 0, fmt.Sprintf("%s: %d paths", ing.GetName(), len(paths))
	}
	path, _ := paths[0].(map[string]any)
	backend, _, _ := unstructured.NestedMap(path, "backend", "service")
	class, _, _ := unstructured.NestedString(ing.Object, "spec", "ingressClassName")
	port, _ := backend["port"].(map[string]any)
	number, isInt := port["number"].(int64)
	switch {
	case rule["host"] != svc+burstHostSuffix:
		return 0, fmt.Sprintf("%s: host %v", ing.GetName(), rule["host"])
	case class != "nginx":
		return 0, fmt.Sprintf("%s: class %q", ing.GetName(), class)
	case backend["name"] != svc:
		return 0, fmt.Sprintf("%s: backend Service %v", ing.GetName(), backend["name"])
	case !isInt || number != int64(8000+n):
		return 0, fmt.Sprintf("%s: port %#v", ing.GetName(), port["number"])
	}
	return n, ""
}
