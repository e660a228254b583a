package resource

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/testenv"
)

var (
	cp      *testenv.ControlPlane
	clients kubernetes.Interface
	dyn     dynamic.Interface
)

func TestMain(m *testing.M) {
	var err error
	cp, err = testenv.StartControlPlane(testenv.WithoutCRDs())
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the control plane:", err)
		os.Exit(1)
	}
	clients, err = kubernetes.NewForConfig(cp.Config)
	if err == nil {
		dyn, err = dynamic.NewForConfig(cp.Config)
	}
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, "building clients:", err)
	} else {
		code = m.Run()
	}
	if err := cp.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the control plane:", err)
	}
	os.Exit(code)
}

var nsCounter atomic.Int64

// newNamespace creates a namespace of its own for a test.
func newNamespace(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("rs-%d-%d", time.Now().UnixNano()%1e6, nsCounter.Add(1))
	_, err := clients.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err)
	return name
}

// services is a small typed client for the Services of one namespace.
type services struct {
	t  testing.TB
	ns string
	// ip has create allocate a cluster IP; Services are headless otherwise,
	// as the test API server has room for only a few hundred IPs.
	ip bool
}

// withClusterIP returns s creating Services that get a cluster IP.
func (s services) withClusterIP() services {
	s.ip = true
	return s
}

func (s services) create(name string, labels, annotations map[string]string) *corev1.Service {
	s.t.Helper()
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: s.ns, Labels: labels, Annotations: annotations},
		Spec:       corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone, Ports: []corev1.ServicePort{{Name: "http", Port: 8080}}},
	}
	if s.ip {
		svc.Spec.ClusterIP = ""
	}
	out, err := clients.CoreV1().Services(s.ns).Create(context.Background(), svc, metav1.CreateOptions{})
	require.NoError(s.t, err)
	return out
}

// update applies change to the Service's current state and writes it.
func (s services) update(name string, change func(*corev1.Service)) *corev1.Service {
	s.t.Helper()
	svc, err := clients.CoreV1().Services(s.ns).Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(s.t, err)
	change(svc)
	out, err := clients.CoreV1().Services(s.ns).Update(context.Background(), svc, metav1.UpdateOptions{})
	require.NoError(s.t, err)
	return out
}

func (s services) annotate(name, key, value string) *corev1.Service {
	s.t.Helper()
	return s.update(name, func(svc *corev1.Service) {
		if svc.Annotations == nil {
			svc.Annotations = map[string]string{}
		}
		svc.Annotations[key] = value
	})
}

func (s services) label(name string, labels map[string]string) *corev1.Service {
	s.t.Helper()
	return s.update(name, func(svc *corev1.Service) { svc.Labels = labels })
}

func (s services) delete(name string) {
	s.t.Helper()
	require.NoError(s.t, clients.CoreV1().Services(s.ns).Delete(context.Background(), name, metav1.DeleteOptions{}))
}

// svcConfig watches Services in ns for every event type.
func svcConfig(ns string) v1alpha1.ResourceEventSource {
	return v1alpha1.ResourceEventSource{
		Namespace: ns, Version: "v1", Resource: "services",
		EventTypes: []v1alpha1.ResourceEventType{v1alpha1.ADD, v1alpha1.UPDATE, v1alpha1.DELETE},
	}
}

func testSpec(name string, cfg v1alpha1.ResourceEventSource) eventsource.Spec {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "watcher", Namespace: "argo-events"}}
	return eventsource.Spec{EventSource: es, Name: name, Config: &cfg}
}

func testEnv() eventsource.Env {
	return eventsource.Env{
		Logger:    slog.New(slog.DiscardHandler),
		Dynamic:   dyn,
		Namespace: "argo-events",
		Shared:    eventsource.NewShared(),
	}
}

// decoded is an emitted event with its payload decoded.
type decoded struct {
	ev      *event.Event
	Type    string         `json:"type"`
	Body    map[string]any `json:"body"`
	OldBody map[string]any `json:"oldBody"`
}

func (d decoded) name() string {
	md, _ := d.Body["metadata"].(map[string]any)
	n, _ := md["name"].(string)
	return n
}

func (d decoded) annotation(body map[string]any, key string) string {
	md, _ := body["metadata"].(map[string]any)
	a, _ := md["annotations"].(map[string]any)
	v, _ := a[key].(string)
	return v
}

func (d decoded) uid() string {
	md, _ := d.Body["metadata"].(map[string]any)
	v, _ := md["uid"].(string)
	return v
}

// brief is "TYPE name", for comparing event sequences.
func (d decoded) brief() string { return d.Type + " " + d.name() }

// running is a source started by startSource; next decodes its events.
type running struct{ *sourcetest.Running }

// startSource builds a source for cfg in env, lets tweak adjust it, starts
// it with sourcetest.Record and returns once it watches (it has handled the
// initial list); the test's cleanup stops it.
func startSource(t *testing.T, env eventsource.Env, cfg v1alpha1.ResourceEventSource, tweak func(*source)) running {
	t.Helper()
	s, err := New(env, testSpec("svc-events", cfg))
	require.NoError(t, err)
	src := s.(*source)
	if tweak != nil {
		tweak(src)
	}
	src.synced = make(chan struct{})
	r := running{sourcetest.Record(t, src)}
	select {
	case <-src.synced:
	case <-time.After(30 * time.Second):
		require.FailNow(t, "the source did not sync", "no initial list within 30s")
	}
	return r
}

// decode decodes the payload of an emitted event.
func decode(t *testing.T, ev *event.Event) decoded {
	t.Helper()
	d := decoded{ev: ev}
	require.NoError(t, json.Unmarshal(ev.Data, &d), "emitted data is not a payload: %s", ev.Data)
	return d
}

// next waits for the next emitted event.
func (r running) next(t *testing.T) decoded {
	t.Helper()
	return decode(t, r.Next(t))
}

// nextN waits for n events and returns their briefs.
func (r running) nextN(t *testing.T, n int) []string {
	t.Helper()
	out := make([]string, 0, n)
	for range n {
		out = append(out, r.next(t).brief())
	}
	return out
}

// oneWorker makes a source emit strictly in queue order, so that a test can
// create a matching "sentinel" object after ones that must be filtered out
// and know that nothing else came first.
func oneWorker(s *source) { s.workers = 1 }
