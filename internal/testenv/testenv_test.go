package testenv

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

var cp *ControlPlane

func TestMain(m *testing.M) {
	var err error
	cp, err = StartControlPlane(WithControllerManager())
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the control plane:", err)
		os.Exit(1)
	}
	code := m.Run()
	if err := cp.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the control plane:", err)
	}
	os.Exit(code)
}

func TestControlPlaneServesCoreKindsAndHeraldCRDs(t *testing.T) {
	ctx := t.Context()
	cs, err := kubernetes.NewForConfig(cp.Config)
	require.NoError(t, err)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "smoke"}}
	_, err = cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	require.NoError(t, err)

	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "smoke"},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}}},
	}
	svc, err = cs.CoreV1().Services("smoke").Create(ctx, svc, metav1.CreateOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, svc.Spec.ClusterIP, "the API server allocates a ClusterIP")

	pathType := networkingv1.PathTypePrefix
	ing := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "smoke"},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{
			Host: "web.example.com",
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
				Path: "/", PathType: &pathType,
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}},
			}}}},
		}}},
	}
	_, err = cs.NetworkingV1().Ingresses("smoke").Create(ctx, ing, metav1.CreateOptions{})
	require.NoError(t, err)

	dc, err := dynamic.NewForConfig(cp.Config)
	require.NoError(t, err)
	es := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "EventSource",
		"metadata":   map[string]any{"name": "webhook", "namespace": "smoke"},
		"spec": map[string]any{"webhook": map[string]any{
			"example": map[string]any{"endpoint": "/example", "port": "12000", "method": "POST"},
		}},
	}}
	gvr := schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "eventsources"}
	_, err = dc.Resource(gvr).Namespace("smoke").Create(ctx, es, metav1.CreateOptions{})
	require.NoError(t, err)
	got, err := dc.Resource(gvr).Namespace("smoke").Get(ctx, "webhook", metav1.GetOptions{})
	require.NoError(t, err)
	port, _, _ := unstructured.NestedString(got.Object, "spec", "webhook", "example", "port")
	require.Equal(t, "12000", port)

	// A wrong type is refused by the CRD's OpenAPI schema.
	bad := es.DeepCopy()
	bad.SetName("bad")
	require.NoError(t, unstructured.SetNestedField(bad.Object, int64(12000), "spec", "webhook", "example", "port"))
	_, err = dc.Resource(gvr).Namespace("smoke").Create(ctx, bad, metav1.CreateOptions{})
	require.Error(t, err)
}

func TestControllerManagerRunsNamespaceAndServiceAccountControllers(t *testing.T) {
	ctx := t.Context()
	cs, err := kubernetes.NewForConfig(cp.Config)
	require.NoError(t, err)
	_, err = cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kcm"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := cs.CoreV1().ServiceAccounts("kcm").Get(ctx, "default", metav1.GetOptions{})
		return err == nil
	}, 30*time.Second, 100*time.Millisecond, "the default ServiceAccount appears")

	require.NoError(t, cs.CoreV1().Namespaces().Delete(ctx, "kcm", metav1.DeleteOptions{}))
	require.Eventually(t, func() bool {
		_, err := cs.CoreV1().Namespaces().Get(ctx, "kcm", metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	}, 60*time.Second, 200*time.Millisecond, "the deleted namespace goes away")
}

func TestEmbeddedJetStream(t *testing.T) {
	ctx := t.Context()
	srv, err := StartNATS()
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	nc, err := nats.Connect(srv.URL)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: "smoke", Subjects: []string{"smoke.>"}})
	require.NoError(t, err)
	ack, err := js.Publish(ctx, "smoke.one", []byte("hello"), jetstream.WithMsgID("id-1"))
	require.NoError(t, err)
	dup, err := js.Publish(ctx, "smoke.one", []byte("hello"), jetstream.WithMsgID("id-1"))
	require.NoError(t, err)
	require.True(t, dup.Duplicate, "a re-publish with the same message id is dropped")
	require.Equal(t, ack.Sequence, dup.Sequence)
}
