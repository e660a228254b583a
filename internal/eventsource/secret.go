package eventsource

import (
	"context"
	"encoding/base64"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// SecretReader returns the value stored under sel.Key in the Secret
// sel.Name of namespace. Herald runs without a cluster by giving Env a reader
// backed by files or variables; tests give one backed by a map.
type SecretReader func(ctx context.Context, namespace string, sel *corev1.SecretKeySelector) ([]byte, error)

// secretsResource is the core/v1 Secret resource.
var secretsResource = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}

// ReadSecret returns the value a Secret key selector points at, in the
// EventSource's namespace: through Secrets when set, else through the
// Kubernetes client; ErrNoCluster when there is neither.
func (e Env) ReadSecret(ctx context.Context, sel *corev1.SecretKeySelector) ([]byte, error) {
	if sel == nil {
		return nil, fmt.Errorf("reading a secret: no secret selected")
	}
	if e.Secrets != nil {
		v, err := e.Secrets(ctx, e.Namespace, sel)
		if err != nil {
			return nil, fmt.Errorf("reading key %s of secret %s/%s: %w", sel.Key, e.Namespace, sel.Name, err)
		}
		return v, nil
	}
	if e.Dynamic == nil {
		return nil, fmt.Errorf("reading key %s of secret %s/%s: %w", sel.Key, e.Namespace, sel.Name, ErrNoCluster)
	}
	obj, err := e.Dynamic.Resource(secretsResource).Namespace(e.Namespace).Get(ctx, sel.Name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading secret %s/%s: %w", e.Namespace, sel.Name, err)
	}
	enc, found, err := unstructured.NestedString(obj.Object, "data", sel.Key)
	if err != nil || !found {
		return nil, fmt.Errorf("reading secret %s/%s: it has no key %s", e.Namespace, sel.Name, sel.Key)
	}
	v, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("decoding key %s of secret %s/%s: %w", sel.Key, e.Namespace, sel.Name, err)
	}
	return v, nil
}
