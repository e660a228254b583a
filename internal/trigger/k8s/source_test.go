package k8s

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

// Every source form gives the same ConfigMap, created in the Sensor's
// namespace (the manifest names none) with Argo's labels and the event id.
func TestCreateFromEverySource(t *testing.T) {
	ns := newNamespace(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(configMapYAML("from-url")))
	}))
	defer srv.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(configMapYAML("from-url-tls")))
	}))
	defer tlsSrv.Close()
	file := filepath.Join(t.TempDir(), "cm.yaml")
	require.NoError(t, os.WriteFile(file, []byte(configMapYAML("from-file")), 0o600))
	_, err := kube.CoreV1().ConfigMaps(ns).Create(context.Background(), &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "manifests"},
		Data:       map[string]string{"cm.yaml": configMapYAML("from-configmap")},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	inline := configMapYAML("from-inline")

	tests := []struct {
		name   string
		source *v1alpha1.ArtifactLocation
		object string
	}{
		{name: "resource", source: resource(t, configMapYAML("from-resource")), object: "from-resource"},
		{name: "inline", source: &v1alpha1.ArtifactLocation{Inline: &inline}, object: "from-inline"},
		{name: "file", source: &v1alpha1.ArtifactLocation{File: &v1alpha1.FileArtifact{Path: file}}, object: "from-file"},
		{name: "url", source: &v1alpha1.ArtifactLocation{URL: &v1alpha1.URLArtifact{Path: srv.URL}}, object: "from-url"},
		{name: "url without verifyCert", source: &v1alpha1.ArtifactLocation{URL: &v1alpha1.URLArtifact{Path: tlsSrv.URL}}, object: "from-url-tls"},
		{name: "configmap", source: &v1alpha1.ArtifactLocation{Configmap: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "manifests"}, Key: "cm.yaml",
		}}, object: "from-configmap"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sensor := sensorIn(ns, "")
			tr := build(t, sensor, &v1alpha1.StandardK8STrigger{Source: tc.source})
			res, err := fire(t, tr, sensor, "ev-"+tc.object, `{}`)
			require.NoError(t, err)
			require.Equal(t, "v1 ConfigMap "+ns+"/"+tc.object+" created", res.Ref)
			obj := getObj(t, cmGVR, ns, tc.object)
			require.Equal(t, "sn", obj.GetLabels()[LabelSensor])
			require.Equal(t, "tr", obj.GetLabels()[LabelTrigger])
			require.Regexp(t, `^[0-9]{13}$`, obj.GetLabels()[LabelActionTimestamp])
			require.Equal(t, "ev-"+tc.object, obj.GetAnnotations()[AnnotationEventID])
			require.Equal(t, map[string]any{"a": "one", "b": "two"}, obj.Object["data"])
		})
	}
}

func TestSourceErrors(t *testing.T) {
	ns := newNamespace(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone":
			http.Error(w, "no", http.StatusForbidden)
		case "/busy":
			http.Error(w, "later", http.StatusServiceUnavailable)
		default:
			_, _ = w.Write([]byte("- not\n- an object\n"))
		}
	}))
	defer srv.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer tlsSrv.Close()
	noKind := `{"apiVersion":"v1","metadata":{"name":"x"}}`
	tests := []struct {
		name     string
		source   *v1alpha1.ArtifactLocation
		terminal bool
		contains string
	}{
		{name: "git", source: &v1alpha1.ArtifactLocation{Git: &v1alpha1.GitArtifact{URL: "https://example.com/r.git"}}, terminal: true, contains: "unsupported: source.git"},
		{name: "s3", source: &v1alpha1.ArtifactLocation{S3: &v1alpha1.S3Artifact{}}, terminal: true, contains: "unsupported: source.s3"},
		{name: "no location", source: &v1alpha1.ArtifactLocation{}, terminal: true, contains: "names no location"},
		{name: "inline without kind", source: &v1alpha1.ArtifactLocation{Inline: &noKind}, terminal: true, contains: "decoding source.inline"},
		{name: "url not an object", source: &v1alpha1.ArtifactLocation{URL: &v1alpha1.URLArtifact{Path: srv.URL + "/list"}}, terminal: true, contains: "decoding source.url"},
		{name: "url 403", source: &v1alpha1.ArtifactLocation{URL: &v1alpha1.URLArtifact{Path: srv.URL + "/gone"}}, terminal: true, contains: "403"},
		{name: "url 503", source: &v1alpha1.ArtifactLocation{URL: &v1alpha1.URLArtifact{Path: srv.URL + "/busy"}}, contains: "503"},
		{name: "url verifyCert on a self-signed server", source: &v1alpha1.ArtifactLocation{URL: &v1alpha1.URLArtifact{Path: tlsSrv.URL, VerifyCert: true}}, contains: "certificate"},
		{name: "file missing", source: &v1alpha1.ArtifactLocation{File: &v1alpha1.FileArtifact{Path: filepath.Join(t.TempDir(), "nope")}}, contains: "reading source.file"},
		{name: "configmap missing", source: &v1alpha1.ArtifactLocation{Configmap: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "nope"}, Key: "k",
		}}, contains: "reading source.configmap " + ns + "/nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sensor := sensorIn(ns, "")
			tr := build(t, sensor, &v1alpha1.StandardK8STrigger{Source: tc.source})
			_, err := fire(t, tr, sensor, "e", `{}`)
			require.ErrorContains(t, err, tc.contains)
			require.Equal(t, tc.terminal, trigger.IsTerminal(err), "terminal: %v", err)
		})
	}
}
