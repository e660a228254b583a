package admission

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
)

func TestBadRequests(t *testing.T) {
	withRequest := func(f func(*admissionv1.AdmissionRequest)) string {
		req := request(t, admissionv1.Create, validSensor, "")
		f(req)
		return string(reviewBody(t, req))
	}
	cases := []struct {
		name        string
		contentType string
		body        string
		code        int
		message     string
	}{
		{"not JSON", "application/json", "{nope", http.StatusBadRequest, "decoding the AdmissionReview: invalid character 'n' looking for beginning of object key string"},
		{"empty body", "application/json", "", http.StatusBadRequest, "decoding the AdmissionReview: EOF"},
		{"wrong content type", "text/plain", "{}", http.StatusUnsupportedMediaType, `content type "text/plain": want application/json`},
		{"wrong review version", "application/json", `{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}`, http.StatusBadRequest, `got AdmissionReview "admission.k8s.io/v1beta1": want apiVersion admission.k8s.io/v1, kind AdmissionReview`},
		{"no request", "application/json", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`, http.StatusBadRequest, "the AdmissionReview has no request"},
		{"no uid", "application/json", withRequest(func(r *admissionv1.AdmissionRequest) { r.UID = "" }), http.StatusBadRequest, "the AdmissionReview's request has no uid"},
		{"no object", "application/json", withRequest(func(r *admissionv1.AdmissionRequest) { r.Object.Raw = nil }), http.StatusBadRequest, "the CREATE request for Sensor ok has no object"},
		{"object not JSON", "application/json", withRequest(func(r *admissionv1.AdmissionRequest) { r.Object.Raw = []byte(`"text"`) }), http.StatusBadRequest, "decoding the object: json: cannot unmarshal string into Go value of type v1.TypeMeta"},
		{"kind mismatch", "application/json", withRequest(func(r *admissionv1.AdmissionRequest) { r.Kind.Kind = "EventSource" }), http.StatusBadRequest, `the object is a "Sensor", the request says EventSource`},
		{"too large", "application/json", `{"apiVersion":"` + strings.Repeat("a", MaxRequestBytes) + `"}`, http.StatusRequestEntityTooLarge, "the AdmissionReview is larger than 7340032 bytes"},
	}
	reg := prometheus.NewRegistry()
	h := newHandler(Options{Logger: slog.New(slog.DiscardHandler), Registerer: reg})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := post(t, h, c.contentType, strings.NewReader(c.body))
			require.Equal(t, c.code, code)
			require.Equal(t, c.message+"\n", string(body))
		})
	}
	require.Equal(t, map[string]float64{"unknown bad_request": float64(len(cases))}, reviewCounts(t, reg))
}

func TestRoutes(t *testing.T) {
	h := newHandler(Options{})
	for _, c := range []struct {
		method, path string
		code         int
	}{
		{http.MethodGet, "/healthz", http.StatusOK},
		{http.MethodGet, ValidatePath, http.StatusMethodNotAllowed},
		{http.MethodPost, "/mutate", http.StatusNotFound},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), c.method, c.path, bytes.NewReader(nil)))
		require.Equal(t, c.code, w.Code, "%s %s", c.method, c.path)
	}
}

// A review that makes the checks panic is answered 500, not a crash.
func TestPanicIsAnError(t *testing.T) {
	reg := prometheus.NewRegistry()
	rv := &reviewer{log: slog.New(slog.DiscardHandler), metrics: newMetrics(reg)}
	w := httptest.NewRecorder()
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, ValidatePath, panicReader{})
	r.Header.Set("Content-Type", "application/json")
	rv.ServeHTTP(w, r)
	require.Equal(t, http.StatusInternalServerError, w.Code)
	require.Equal(t, map[string]float64{"unknown error": 1}, reviewCounts(t, reg))
}

type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("boom") }
