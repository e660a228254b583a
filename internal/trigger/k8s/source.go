package k8s

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

// maxURLBody is how much of a url source is read, as in Argo.
const maxURLBody = 512 * 1024

var configMaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// fetch returns a fresh copy of the object the source describes. Reading
// errors are transient; an object that does not decode, and a git or s3
// source (which validation already rejects), are terminal.
func (t *k8sTrigger) fetch(ctx context.Context, p *prepared, sensorNamespace string) (*unstructured.Unstructured, error) {
	if p.static != nil || p.staticErr != nil {
		if p.staticErr != nil {
			return nil, p.staticErr
		}
		return p.static.DeepCopy(), nil
	}
	src := p.spec.Source
	switch {
	case src.File != nil:
		data, err := os.ReadFile(src.File.Path)
		if err != nil {
			return nil, fmt.Errorf("reading source.file: %w", err)
		}
		return decodeYAML(data, "source.file "+src.File.Path)
	case src.URL != nil:
		data, err := t.readURL(ctx, src.URL)
		if err != nil {
			return nil, err
		}
		return decodeYAML(data, "source.url "+src.URL.Path)
	case src.Configmap != nil:
		data, err := t.readConfigMap(ctx, src.Configmap.Name, src.Configmap.Key, sensorNamespace)
		if err != nil {
			return nil, err
		}
		return decodeYAML(data, "source.configmap "+src.Configmap.Name+"/"+src.Configmap.Key)
	case src.Git != nil:
		return nil, trigger.Terminal(errors.New("unsupported: source.git is not supported by Herald"))
	case src.S3 != nil:
		return nil, trigger.Terminal(errors.New("unsupported: source.s3 is not supported by Herald"))
	}
	return nil, trigger.Terminal(errors.New("the k8s trigger's source names no location"))
}

// readURL GETs a url source, checking the server's certificate only when
// the source asks to (as Argo).
func (t *k8sTrigger) readURL(ctx context.Context, u *v1alpha1.URLArtifact) ([]byte, error) {
	t.httpOnce.Do(t.buildHTTP)
	client := t.httpInsecure
	if u.VerifyCert {
		client = t.httpVerify
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.Path, nil)
	if err != nil {
		return nil, trigger.Terminal(fmt.Errorf("reading source.url %s: %w", u.Path, err))
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading source.url %s: %w", u.Path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("reading source.url %s: status %s", u.Path, resp.Status)
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusNotFound &&
			resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
			return nil, trigger.Terminal(err)
		}
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxURLBody))
	if err != nil {
		return nil, fmt.Errorf("reading source.url %s: %w", u.Path, err)
	}
	return data, nil
}

// buildHTTP makes the two url clients from the shared one's transport.
func (t *k8sTrigger) buildHTTP() {
	base := t.env.HTTP
	if base == nil {
		base = http.DefaultClient
	}
	tr, ok := base.Transport.(*http.Transport)
	if !ok || tr == nil {
		tr = http.DefaultTransport.(*http.Transport)
	}
	insecure := tr.Clone()
	if insecure.TLSClientConfig == nil {
		insecure.TLSClientConfig = &tls.Config{}
	}
	insecure.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // the source's verifyCert is false, as Argo's default
	t.httpVerify = &http.Client{Transport: tr, Timeout: base.Timeout}
	t.httpInsecure = &http.Client{Transport: insecure, Timeout: base.Timeout}
}

// readConfigMap returns a key of a ConfigMap in the Sensor's namespace, read
// with Herald's own identity. A missing ConfigMap is transient (it may be
// created yet); a missing key is terminal.
func (t *k8sTrigger) readConfigMap(ctx context.Context, name, key, namespace string) ([]byte, error) {
	dyn, err := t.clients.dynamic("")
	if err != nil {
		return nil, fmt.Errorf("getting Herald's own client: %w", err)
	}
	cm, err := dyn.Resource(configMaps).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		err = fmt.Errorf("reading source.configmap %s/%s: %w", namespace, name, err)
		if apierrors.IsNotFound(err) {
			return nil, err
		}
		return nil, classify(err)
	}
	value, found, err := unstructured.NestedString(cm.Object, "data", key)
	if err != nil || !found {
		return nil, trigger.Terminal(fmt.Errorf("reading source.configmap %s/%s: no key %q in data", namespace, name, key))
	}
	return []byte(value), nil
}

// decodeYAML decodes a YAML (or JSON) object manifest read from what.
func decodeYAML(data []byte, what string) (*unstructured.Unstructured, error) {
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, trigger.Terminal(fmt.Errorf("decoding %s: %w", what, err))
	}
	return decodeJSON(j, what)
}

// decodeJSON decodes a JSON object manifest read from what.
func decodeJSON(data []byte, what string) (*unstructured.Unstructured, error) {
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(data); err != nil {
		return nil, trigger.Terminal(fmt.Errorf("decoding %s: %w", what, err))
	}
	return obj, nil
}
