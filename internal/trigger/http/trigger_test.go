package http_test

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/golden"
	"github.com/herald-dev/herald/internal/trigger"
	httptrigger "github.com/herald-dev/herald/internal/trigger/http"
	"github.com/herald-dev/herald/internal/trigger/triggertest"
)

// seen is what a test server received.
type seen struct {
	Method string
	Path   string
	Header http.Header
	Body   string
}

// recorder is a test server that records requests and answers with the
// statuses given in turn (200 once they run out).
type recorder struct {
	mu       sync.Mutex
	reqs     []seen
	statuses []int
	body     string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.reqs = append(r.reqs, seen{req.Method, req.URL.Path, req.Header.Clone(), string(b)})
	status := http.StatusOK
	if len(r.statuses) > 0 {
		status, r.statuses = r.statuses[0], r.statuses[1:]
	}
	body := r.body
	r.mu.Unlock()
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (r *recorder) Requests() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

func serve(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func secrets(values map[string]string) trigger.SecretReader {
	return func(_ context.Context, ns string, sel *corev1.SecretKeySelector) ([]byte, error) {
		v, ok := values[ns+"/"+sel.Name+"/"+sel.Key]
		if !ok {
			return nil, errors.New("not found")
		}
		return []byte(v), nil
	}
}

func sel(name, key string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
}

func sensor() *v1alpha1.Sensor {
	return &v1alpha1.Sensor{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "s"}}
}

func spec(h *v1alpha1.HTTPTrigger) *v1alpha1.Trigger {
	return &v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{Name: "call", HTTP: h}}
}

func build(t testing.TB, env trigger.Env, s *v1alpha1.Trigger) trigger.Trigger {
	if env.HTTP == nil {
		env.HTTP = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	tr, err := httptrigger.New(env, sensor(), s)
	require.NoError(t, err)
	if c, ok := tr.(interface{ CloseIdleConnections() }); ok {
		t.Cleanup(c.CloseIdleConnections)
	}
	t.Cleanup(env.HTTP.CloseIdleConnections)
	return tr
}

func request(i int) *trigger.Request {
	return &trigger.Request{
		EventID: fmt.Sprintf("ev-%d", i),
		Events: map[string]*event.Event{
			"dep": {
				ID: fmt.Sprintf("ev-%d", i), Source: "webhook", Subject: "example", Type: "webhook",
				Time:            time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
				DataContentType: event.ContentTypeJSON,
				Data:            []byte(`{"body":{"name":"fortune","n":3,"path":"hook"}}`),
			},
		},
	}
}

func p(dep, key, dest string, raw bool) v1alpha1.TriggerParameter {
	return v1alpha1.TriggerParameter{Src: &v1alpha1.TriggerParameterSource{DependencyName: dep, DataKey: key, UseRawData: raw}, Dest: dest}
}

func TestMethodsAndPayload(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		payload []v1alpha1.TriggerParameter
		want    string
		golden  string
	}{
		{name: "default POST", payload: []v1alpha1.TriggerParameter{
			p("dep", "body.name", "app.name", false), p("dep", "body.n", "app.replicas", true),
		}, want: "POST", golden: "post.golden.json"},
		{
			name: "PUT", method: "PUT", payload: []v1alpha1.TriggerParameter{p("dep", "body", "whole", true)},
			want: "PUT", golden: "put.golden.json",
		},
		{name: "GET without payload", method: "GET", want: "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			srv := serve(t, rec)
			tr := build(t, trigger.Env{}, spec(&v1alpha1.HTTPTrigger{URL: srv.URL + "/hook", Method: tt.method, Payload: tt.payload}))
			res, err := tr.Execute(t.Context(), request(1))
			require.NoError(t, err)
			require.Equal(t, tt.want+" "+srv.URL+"/hook → 200", res.Ref)
			got := rec.Requests()
			require.Len(t, got, 1)
			require.Equal(t, tt.want, got[0].Method)
			if tt.golden == "" {
				require.Empty(t, got[0].Body)
				return
			}
			path := filepath.Join("testdata", tt.golden)
			if golden.Update() {
				require.NoError(t, os.WriteFile(path, []byte(got[0].Body+"\n"), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, strings.TrimSuffix(string(want), "\n"), got[0].Body)
		})
	}
}

func TestHeaders(t *testing.T) {
	rec := &recorder{}
	srv := serve(t, rec)
	env := trigger.Env{Secrets: secrets(map[string]string{
		"ns/tok/value": "Bearer s3cret",
		"ns/auth/user": "alice",
		"ns/auth/pass": "wonder",
	})}
	tr := build(t, env, spec(&v1alpha1.HTTPTrigger{
		URL:     srv.URL,
		Headers: map[string]string{"Content-Type": "application/json", "X-Team": "a"},
		SecureHeaders: []*v1alpha1.SecureHeader{{
			Name:      "Authorization-Token",
			ValueFrom: &v1alpha1.ValueFromSource{SecretKeyRef: sel("tok", "value")},
		}},
		BasicAuth: &v1alpha1.BasicAuth{Username: sel("auth", "user"), Password: sel("auth", "pass")},
	}))
	_, err := tr.Execute(t.Context(), request(7))
	require.NoError(t, err)
	h := rec.Requests()[0].Header
	require.Equal(t, "ev-7", h.Get("X-Herald-Event-Id"))
	require.Equal(t, "ev-7", h.Get("Idempotency-Key"))
	require.Equal(t, "application/json", h.Get("Content-Type"))
	require.Equal(t, "a", h.Get("X-Team"))
	require.Equal(t, "Bearer s3cret", h.Get("Authorization-Token"))
	user, pass, ok := (&http.Request{Header: h}).BasicAuth()
	require.True(t, ok)
	require.Equal(t, "alice", user)
	require.Equal(t, "wonder", pass)
}

func TestDynamicHeadersAndHost(t *testing.T) {
	var host atomic.Value
	rec := &recorder{}
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host.Store(r.Host)
		rec.ServeHTTP(w, r)
	}))
	tr := build(t, trigger.Env{}, spec(&v1alpha1.HTTPTrigger{
		URL:     srv.URL,
		Host:    "tenant-a.example",
		Headers: map[string]string{"X-Name": "static"},
		DynamicHeaders: []v1alpha1.TriggerParameter{
			p("dep", "body.name", "X-Name", false), // wins over the static header
			p("dep", "body.n", "X-Count", true),
			p("other", "body.name", "X-Absent", false), // no event for "other": left out
		},
	}))
	_, err := tr.Execute(t.Context(), request(1))
	require.NoError(t, err)
	h := rec.Requests()[0].Header
	require.Equal(t, "fortune", h.Get("X-Name"))
	require.Equal(t, "3", h.Get("X-Count"))
	require.NotContains(t, h, "X-Absent")
	require.Equal(t, "tenant-a.example", host.Load())

	// A key the event lacks, without a default, fails that firing for good.
	bad := build(t, trigger.Env{}, spec(&v1alpha1.HTTPTrigger{
		URL:            srv.URL,
		DynamicHeaders: []v1alpha1.TriggerParameter{p("dep", "body.missing", "X-Missing", false)},
	}))
	_, err = bad.Execute(t.Context(), request(2))
	require.ErrorContains(t, err, "dynamicHeaders")
	require.True(t, trigger.IsTerminal(err), "%v", err)

	// A value with a line break (header injection) is never sent.
	injected := request(3)
	injected.Events["dep"].Data = []byte(`{"body":{"name":"a\r\nX-Admin: yes","n":1}}`)
	_, err = tr.Execute(t.Context(), injected)
	require.ErrorContains(t, err, `building dynamicHeaders: "X-Name" cannot be sent`)
	require.True(t, trigger.IsTerminal(err), "%v", err)

	// So is a host (a parameter may write it) that is no Host header.
	badHost := build(t, trigger.Env{}, spec(&v1alpha1.HTTPTrigger{URL: srv.URL, Host: "a b"}))
	_, err = badHost.Execute(t.Context(), request(4))
	require.ErrorContains(t, err, `host "a b" is not a Host header`)
	require.True(t, trigger.IsTerminal(err), "%v", err)
	require.Len(t, rec.Requests(), 1, "nothing sent")
}

func TestMissingSecretIsTransientAndNotLeaked(t *testing.T) {
	srv := serve(t, &recorder{})
	tr := build(t, trigger.Env{Secrets: secrets(nil)}, spec(&v1alpha1.HTTPTrigger{
		URL: srv.URL,
		SecureHeaders: []*v1alpha1.SecureHeader{{
			Name:      "X-Key",
			ValueFrom: &v1alpha1.ValueFromSource{SecretKeyRef: sel("tok", "value")},
		}},
	}))
	_, err := tr.Execute(t.Context(), request(1))
	require.EqualError(t, err, `reading secure header "X-Key": reading secret tok/value: not found`)
	require.False(t, trigger.IsTerminal(err))
}

func TestConfigMapSecureHeaderRejected(t *testing.T) {
	_, err := httptrigger.New(trigger.Env{}, sensor(), spec(&v1alpha1.HTTPTrigger{
		URL: "http://x",
		SecureHeaders: []*v1alpha1.SecureHeader{{
			Name:      "X-Key",
			ValueFrom: &v1alpha1.ValueFromSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{Key: "k"}},
		}},
	}))
	require.EqualError(t, err, `building http trigger call: secure header "X-Key": only secretKeyRef is supported`)
}

func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(&recorder{})
	t.Cleanup(srv.Close)
	ca := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	env := trigger.Env{Secrets: secrets(map[string]string{"ns/ca/crt": ca})}

	t.Run("trusted CA", func(t *testing.T) {
		tr := build(t, env, spec(&v1alpha1.HTTPTrigger{URL: srv.URL, TLS: &v1alpha1.TLSConfig{CACertSecret: sel("ca", "crt")}}))
		_, err := tr.Execute(t.Context(), request(1))
		require.NoError(t, err)
	})
	t.Run("insecureSkipVerify", func(t *testing.T) {
		tr := build(t, env, spec(&v1alpha1.HTTPTrigger{URL: srv.URL, TLS: &v1alpha1.TLSConfig{InsecureSkipVerify: true}}))
		_, err := tr.Execute(t.Context(), request(1))
		require.NoError(t, err)
	})
	t.Run("unknown CA is transient", func(t *testing.T) {
		tr := build(t, env, spec(&v1alpha1.HTTPTrigger{URL: srv.URL}))
		_, err := tr.Execute(t.Context(), request(1))
		require.ErrorContains(t, err, "certificate signed by unknown authority")
		require.False(t, trigger.IsTerminal(err))
	})
	t.Run("empty tls is terminal", func(t *testing.T) {
		tr := build(t, env, spec(&v1alpha1.HTTPTrigger{URL: srv.URL, TLS: &v1alpha1.TLSConfig{}}))
		_, err := tr.Execute(t.Context(), request(1))
		require.EqualError(t, err, "setting up TLS: invalid TLS setup: none of caCertSecret, clientCertSecret and clientKeySecret is set (nor enabled, nor insecureSkipVerify)")
		require.True(t, trigger.IsTerminal(err))
	})
	t.Run("enabled checks against the system's certificates", func(t *testing.T) {
		tr := build(t, env, spec(&v1alpha1.HTTPTrigger{URL: srv.URL, TLS: &v1alpha1.TLSConfig{Enabled: true}}))
		_, err := tr.Execute(t.Context(), request(1))
		require.ErrorContains(t, err, "certificate signed by unknown authority", "the test server's CA is no system CA")
		require.False(t, trigger.IsTerminal(err))
	})
}

func TestTimeout(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	tr := build(t, trigger.Env{}, spec(&v1alpha1.HTTPTrigger{URL: srv.URL, Timeout: 1}))
	_, err := tr.Execute(t.Context(), request(1))
	require.ErrorContains(t, err, "Client.Timeout exceeded")
	require.False(t, trigger.IsTerminal(err))
}

func TestStatusClassification(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		allow    []int32
		ok       bool
		terminal bool
	}{
		{name: "200", status: 200, ok: true},
		{name: "204", status: 204, ok: true},
		{name: "500 transient", status: 500},
		{name: "503 transient", status: 503},
		{name: "429 transient", status: 429},
		{name: "408 transient", status: 408},
		{name: "400 terminal", status: 400, terminal: true},
		{name: "404 terminal", status: 404, terminal: true},
		{name: "allowed 404", status: 404, allow: []int32{200, 404}, ok: true},
		{name: "200 not allowed", status: 200, allow: []int32{201}, terminal: true},
		{name: "502 not allowed", status: 502, allow: []int32{200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{statuses: []int{tt.status}, body: "nope"}
			srv := serve(t, rec)
			s := spec(&v1alpha1.HTTPTrigger{URL: srv.URL + "/x"})
			if tt.allow != nil {
				s.Policy = &v1alpha1.TriggerPolicy{Status: &v1alpha1.StatusPolicy{Allow: tt.allow}}
			}
			tr := build(t, trigger.Env{}, s)
			res, err := tr.Execute(t.Context(), request(1))
			require.Equal(t, fmt.Sprintf("POST %s/x → %d", srv.URL, tt.status), res.Ref)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, fmt.Sprintf(`sending POST %s/x → %d: status %d not allowed: "nope"`, srv.URL, tt.status, tt.status))
			require.Equal(t, tt.terminal, trigger.IsTerminal(err))
		})
	}
}

func TestRetryUntilSuccess(t *testing.T) {
	rec := &recorder{statuses: []int{500, 500, 500}}
	srv := serve(t, rec)
	steps := v1alpha1.FromString("1s")
	s := spec(&v1alpha1.HTTPTrigger{URL: srv.URL})
	s.RetryStrategy = &v1alpha1.Backoff{Steps: 5, Duration: &steps}
	tr := build(t, trigger.Env{}, s)
	var slept []time.Duration
	f, err := trigger.NewFirer(s, trigger.WithClock(time.Now, func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}), trigger.WithRand(func() float64 { return 0 }))
	require.NoError(t, err)

	res, err := f.Fire(t.Context(), tr, request(1))
	require.NoError(t, err)
	require.Equal(t, 4, res.Attempts)
	require.Equal(t, "POST "+srv.URL+" → 200", res.Ref)
	require.Len(t, rec.Requests(), 4)
	require.Equal(t, []time.Duration{time.Second, time.Second, time.Second}, slept)
}

func TestBadRequestIsTerminalAtOnce(t *testing.T) {
	rec := &recorder{statuses: []int{400, 400}}
	srv := serve(t, rec)
	s := spec(&v1alpha1.HTTPTrigger{URL: srv.URL})
	s.RetryStrategy = &v1alpha1.Backoff{Steps: 5}
	tr := build(t, trigger.Env{}, s)
	f, err := trigger.NewFirer(s, trigger.WithClock(time.Now, func(context.Context, time.Duration) error {
		t.Fatal("no wait expected")
		return nil
	}))
	require.NoError(t, err)
	res, err := f.Fire(t.Context(), tr, request(1))
	require.True(t, trigger.IsTerminal(err))
	require.Equal(t, 1, res.Attempts)
	require.Len(t, rec.Requests(), 1)
}

func TestLargeResponseBodies(t *testing.T) {
	big := strings.Repeat("x", 4<<20)
	rec := &recorder{body: big}
	srv := serve(t, rec)
	tr := build(t, trigger.Env{}, spec(&v1alpha1.HTTPTrigger{URL: srv.URL}))
	for i := range 3 {
		_, err := tr.Execute(t.Context(), request(i))
		require.NoError(t, err)
	}
	rec.statuses = []int{500}
	_, err := tr.Execute(t.Context(), request(9))
	require.Error(t, err)
	require.Less(t, len(err.Error()), 600, "error quotes a bounded snippet")
}

func TestConnectionReuse(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(&recorder{body: strings.Repeat("y", 64<<10)})
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	tr := build(t, trigger.Env{}, spec(&v1alpha1.HTTPTrigger{URL: srv.URL}))
	for i := range 10 {
		_, err := tr.Execute(t.Context(), request(i))
		require.NoError(t, err)
	}
	require.Equal(t, int32(1), conns.Load())
}

func TestParameters(t *testing.T) {
	rec := &recorder{}
	srv := serve(t, rec)
	tr := build(t, trigger.Env{}, spec(&v1alpha1.HTTPTrigger{
		URL: srv.URL + "/placeholder",
		Parameters: []v1alpha1.TriggerParameter{
			{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataTemplate: srv.URL + "/{{ .Input.body.path }}"}, Dest: "url"},
			{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", Value: new("PATCH")}, Dest: "method"},
		},
	}))
	res, err := tr.Execute(t.Context(), request(1))
	require.NoError(t, err)
	require.Equal(t, "PATCH "+srv.URL+"/hook → 200", res.Ref)
	got := rec.Requests()
	require.Equal(t, "/hook", got[0].Path)
	require.Equal(t, "PATCH", got[0].Method)
}

func TestTriggerLevelParametersRewriteTemplate(t *testing.T) {
	rec := &recorder{}
	srv := serve(t, rec)
	s := spec(&v1alpha1.HTTPTrigger{URL: srv.URL + "/a"})
	tr := build(t, trigger.Env{}, s)
	req := request(1)
	rewritten := *s
	rewritten.Template = &v1alpha1.TriggerTemplate{Name: "call", HTTP: &v1alpha1.HTTPTrigger{
		URL:     srv.URL + "/b",
		Payload: []v1alpha1.TriggerParameter{p("dep", "body.n", "n", true)},
	}}
	req.Trigger = &rewritten
	_, err := tr.Execute(t.Context(), req)
	require.NoError(t, err)
	got := rec.Requests()
	require.Equal(t, "/b", got[0].Path)
	require.JSONEq(t, `{"n":3}`, got[0].Body)
}

func TestRedactsURL(t *testing.T) {
	srv := serve(t, &recorder{})
	u := strings.Replace(srv.URL, "http://", "http://user:pw@", 1) + "/x?token=abc"
	tr := build(t, trigger.Env{}, spec(&v1alpha1.HTTPTrigger{URL: u}))
	res, err := tr.Execute(t.Context(), request(1))
	require.NoError(t, err)
	require.NotContains(t, res.Ref, "pw")
	require.NotContains(t, res.Ref, "abc")
}

func TestRegistered(t *testing.T) {
	_, ok := trigger.Default.Lookup("http")
	require.True(t, ok)
}

func TestConformance(t *testing.T) {
	triggertest.Run(t, triggertest.Harness{
		New: func(t *testing.T) trigger.Trigger {
			srv := serve(t, &recorder{})
			return build(t, trigger.Env{}, spec(&v1alpha1.HTTPTrigger{
				URL:     srv.URL,
				Payload: []v1alpha1.TriggerParameter{p("dep", "body", "body", true)},
			}))
		},
		Request: request,
		Blocking: func(t *testing.T) trigger.Trigger {
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-release:
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(release) })
			return build(t, trigger.Env{}, spec(&v1alpha1.HTTPTrigger{URL: srv.URL}))
		},
	})
}
