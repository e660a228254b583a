package webhook

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

// FuzzRoute sends fuzzed bodies, content types, header values and methods
// to a webhook endpoint's handler. Invariants: no panic; the status is one
// of the documented answers; a 200 published exactly one event whose data is
// valid JSON in Argo's shape with the body in it; a body over the limit is
// 413 and never published; the bearer token never reaches the event.
func FuzzRoute(f *testing.F) {
	f.Add("POST", "application/json", "X-Custom", "v", []byte(`{"a":1}`))
	f.Add("POST", "application/x-www-form-urlencoded", "X-Form", "1", []byte("a=1&b=%zz"))
	f.Add("GET", "", "X-Q", "\x00", []byte(""))
	f.Add("POST", "text/plain; charset=\xff", "X-Bad", "a\xffb", []byte("\xff\xfe\x00"))
	f.Add("POST", "application/json", "Content-Length", "5", []byte(strings.Repeat("[", 10001)))
	f.Add("PUT", "application/json", "Idempotency-Key", "k", []byte(`"str"`))
	const limit = 4096
	f.Fuzz(func(t *testing.T, method, contentType, hname, hvalue string, body []byte) {
		cfg := hook("0", "/push", "POST")
		maxSize := int64(limit)
		cfg.MaxPayloadSize = &maxSize
		cfg.AuthSecret = &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "hook"}, Key: "token"}
		var events []*event.Event
		emit := func(_ context.Context, ev *event.Event) error { events = append(events, ev); return nil }
		spec := testSpec("push", cfg)
		ep := Endpoint{Context: &cfg.WebhookContext, Payload: func(r *http.Request, b []byte) ([]byte, error) { return buildPayload(r, b, cfg.Metadata) }}
		rt, err := newRoute(t.Context(), webhooktest.Env(webhooktest.Secrets{"hook/token": "s3cret"}), spec, ep, emit)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/push", strings.NewReader(string(body)))
		if validMethod(method) {
			req.Method = method
		}
		req.Header.Set("Authorization", "Bearer s3cret")
		req.Header["Content-Type"] = []string{contentType}
		if hname != "" && hname != "Authorization" {
			req.Header[hname] = []string{hvalue}
		}
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			if len(body) > limit && req.Method != http.MethodGet {
				t.Fatalf("accepted a body of %d bytes over the limit", len(body))
			}
			if len(events) != 1 {
				t.Fatalf("200 with %d events", len(events))
			}
			var p struct {
				Header map[string][]string `json:"header"`
				Body   json.RawMessage     `json:"body"`
			}
			if err := json.Unmarshal(events[0].Data, &p); err != nil || p.Body == nil {
				t.Fatalf("event data %q not in the webhook shape: %v", events[0].Data, err)
			}
			if strings.Contains(string(events[0].Data), "s3cret") && !strings.Contains(string(body)+hvalue, "s3cret") {
				t.Fatalf("the token leaked into the event: %s", events[0].Data)
			}
		case http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge:
			if len(events) != 0 {
				t.Fatalf("status %d but %d events published", rec.Code, len(events))
			}
		default:
			t.Fatalf("unexpected status %d: %s", rec.Code, rec.Body)
		}
	})
}

// validMethod reports whether m is a token net/http accepts as a method.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune(`()<>@,;:\"/[]?={}`, c) {
			return false
		}
	}
	return true
}
