package admission

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/internal/golden"
)

const (
	validSensor = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: ok, namespace: team-a}
spec:
  dependencies:
    - {name: tick, eventSourceName: clock, eventName: tick}
  triggers:
    - template: {name: log, log: {}}
`
	// The Sensor of internal/cli/testdata/errors.yaml.
	invalidSensor = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: crate, namespace: team-a}
spec:
  dependencies:
    - {name: tick, eventSourceName: clock, eventName: tick}
  triggers:
    - template:
        name: create-cm
        k8s:
          operation: crate
          source:
            resource: {apiVersion: v1, kind: ConfigMap, metadata: {generateName: cm-}}
`
	// Two errors, joined in the denial.
	twoErrorSensor = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: two, namespace: team-a}
spec:
  dependencies:
    - {name: tick, eventSourceName: clock, eventName: tick}
  triggers:
    - template: {name: a, log: {}}
    - template: {name: a, log: {}}
      parameters:
        - src: {dependencyName: nope}
          dest: x
`
	// The Sensor of internal/cli/testdata/warnings.yaml.
	warnedSensor = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: misplaced, namespace: team-a}
spec:
  dependencies:
    - {name: tick, eventSourceName: clock, eventName: tick}
  triggers:
    - template: {name: log, atLeastOnce: true, log: {}}
`
	validEventSource = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: hooks, namespace: team-a}
spec:
  webhook:
    example: {port: "12000", endpoint: /example, method: POST}
`
	unsupportedEventSource = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: queue, namespace: team-a}
spec:
  sqs:
    example: {region: us-east-1, queue: test}
`
	wrongTypeEventSource = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: hooks, namespace: team-a}
spec:
  webhook:
    example: {port: 12000, endpoint: /example, method: POST}
`
	validEventBus = `apiVersion: argoproj.io/v1alpha1
kind: EventBus
metadata: {name: default, namespace: team-a}
spec:
  jetstream: {version: latest}
`
	invalidEventBus = `apiVersion: argoproj.io/v1alpha1
kind: EventBus
metadata: {name: default, namespace: team-a}
spec:
  jetstream: {version: latest}
  jetstreamExotic: {url: "nats://nats:4222"}
`
	configMap = `apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: team-a}
data: {a: b}
`
)

// request builds an AdmissionRequest for the object in YAML (old may be "").
func request(t *testing.T, op admissionv1.Operation, obj, old string) *admissionv1.AdmissionRequest {
	t.Helper()
	raw := func(y string) runtime.RawExtension {
		if y == "" {
			return runtime.RawExtension{}
		}
		data, err := yaml.YAMLToJSON([]byte(y))
		require.NoError(t, err)
		return runtime.RawExtension{Raw: data}
	}
	req := &admissionv1.AdmissionRequest{UID: "0d5c8b0f-5a3e-4b5c-9a4e-2f3c2b1a0e11", Operation: op, Object: raw(obj), OldObject: raw(old)}
	src := obj
	if src == "" {
		src = old
	}
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct{ Name, Namespace string }
	}
	require.NoError(t, yaml.Unmarshal([]byte(src), &meta))
	gv, err := schema.ParseGroupVersion(meta.APIVersion)
	require.NoError(t, err)
	req.Kind = metav1.GroupVersionKind{Group: gv.Group, Version: gv.Version, Kind: meta.Kind}
	req.Name, req.Namespace = meta.Metadata.Name, meta.Metadata.Namespace
	return req
}

func reviewBody(t *testing.T, req *admissionv1.AdmissionRequest) []byte {
	t.Helper()
	data, err := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request:  req,
	})
	require.NoError(t, err)
	return data
}

// post sends body to the handler and returns the status and body.
func post(t *testing.T, h http.Handler, contentType string, body io.Reader) (int, []byte) {
	t.Helper()
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, ValidatePath, body)
	r.Header.Set("Content-Type", contentType)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.Bytes()
}

func TestReview(t *testing.T) {
	changedInvalid := strings.Replace(invalidSensor, "operation: crate", "operation: creat", 1)
	deleting := strings.Replace(invalidSensor, "metadata: {", "metadata: {deletionTimestamp: \"2026-01-02T03:04:05Z\", finalizers: [], ", 1)
	cases := []struct {
		name     string
		op       admissionv1.Operation
		obj, old string
		allowed  bool
	}{
		{"valid sensor", admissionv1.Create, validSensor, "", true},
		{"invalid sensor", admissionv1.Create, invalidSensor, "", false},
		{"sensor with two errors", admissionv1.Create, twoErrorSensor, "", false},
		{"unknown field", admissionv1.Create, warnedSensor, "", true},
		{"valid eventsource", admissionv1.Create, validEventSource, "", true},
		{"unsupported eventsource", admissionv1.Create, unsupportedEventSource, "", false},
		{"wrong type", admissionv1.Create, wrongTypeEventSource, "", false},
		{"valid eventbus", admissionv1.Create, validEventBus, "", true},
		{"invalid eventbus", admissionv1.Create, invalidEventBus, "", false},
		{"update to invalid", admissionv1.Update, invalidSensor, validSensor, false},
		{"update of an invalid spec", admissionv1.Update, changedInvalid, invalidSensor, false},
		{"update leaving the spec", admissionv1.Update, strings.Replace(invalidSensor, "name: crate,", "name: crate, labels: {a: b},", 1), invalidSensor, true},
		{"update while deleting", admissionv1.Update, deleting, changedInvalid, true},
		{"delete", admissionv1.Delete, "", invalidSensor, true},
		{"wrong kind", admissionv1.Create, configMap, "", true},
	}
	reg := prometheus.NewRegistry()
	h := newHandler(Options{Logger: slog.New(slog.DiscardHandler), Registerer: reg})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := request(t, c.op, c.obj, c.old)
			code, body := post(t, h, "application/json", bytes.NewReader(reviewBody(t, req)))
			require.Equal(t, http.StatusOK, code, "%s", body)
			var got admissionv1.AdmissionReview
			require.NoError(t, json.Unmarshal(body, &got))
			require.Equal(t, "admission.k8s.io/v1", got.APIVersion)
			require.Equal(t, "AdmissionReview", got.Kind)
			require.NotNil(t, got.Response)
			require.Equal(t, req.UID, got.Response.UID)
			require.Equal(t, c.allowed, got.Response.Allowed, "%s", body)
			pretty, err := json.MarshalIndent(got.Response, "", "  ")
			require.NoError(t, err)
			golden.Check(t, filepath.Join("testdata", "golden", strings.ReplaceAll(c.name, " ", "-")+".json"), append(pretty, '\n'))
		})
	}
	require.Equal(t, map[string]float64{
		"EventBus allowed": 1, "EventBus denied": 1,
		"EventSource allowed": 1, "EventSource denied": 2,
		"Sensor allowed": 4, "Sensor denied": 4, "Sensor warned": 1,
		"other allowed": 1,
	}, reviewCounts(t, reg))
}

// reviewCounts reads herald_admission_reviews_total as "kind result" -> count.
func reviewCounts(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "herald_admission_reviews_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			out[labels["kind"]+" "+labels["result"]] = m.GetCounter().GetValue()
		}
	}
	return out
}
