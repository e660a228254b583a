package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/slack"
)

// token is the bot token the tests' Secret holds; it must never show in an
// error or a log line.
const token = "xoxb-secret-token-1234"

// call is one chat.postMessage a fake Slack received, after its checks.
type call struct {
	Body map[string]any
}

// fakeSlack is a Slack Web API stand-in: it checks that every request is a
// well-formed chat.postMessage call with the test token and answers with
// the function given (ok with a new ts by default).
type fakeSlack struct {
	t      testing.TB
	mu     sync.Mutex
	calls  []call
	answer func(n int, body map[string]any, w http.ResponseWriter)
	srv    *httptest.Server
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{t: t}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	problem := ""
	switch {
	case r.Method != http.MethodPost:
		problem = "method " + r.Method
	case r.URL.Path != "/api/chat.postMessage":
		problem = "path " + r.URL.Path
	case r.URL.RawQuery != "":
		problem = "a query " + r.URL.RawQuery
	case r.Header.Get("Authorization") != "Bearer "+token:
		problem = "authorization " + r.Header.Get("Authorization")
	case r.Header.Get("Content-Type") != "application/json; charset=utf-8":
		problem = "content type " + r.Header.Get("Content-Type")
	}
	var body map[string]any
	data, _ := io.ReadAll(r.Body)
	if problem == "" {
		if err := json.Unmarshal(data, &body); err != nil {
			problem = "body " + string(data)
		}
	}
	if problem != "" {
		f.t.Errorf("fake Slack: unexpected %s", problem)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, call{Body: body})
	n := len(f.calls)
	answer := f.answer
	f.mu.Unlock()
	if answer != nil {
		answer(n, body, w)
		return
	}
	okAnswer(n)(w)
}

// okAnswer writes Slack's success answer with ts "100<n>.000".
func okAnswer(n int) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": "C123", "ts": tsOf(n)})
	}
}

func tsOf(n int) string { return strconv.Itoa(1000+n) + ".000" }

func (f *fakeSlack) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// URL is the base URL of the fake API.
func (f *fakeSlack) URL() string { return f.srv.URL + "/api/" }

func secrets(values map[string]string) trigger.SecretReader {
	return func(_ context.Context, ns string, sel *corev1.SecretKeySelector) ([]byte, error) {
		v, ok := values[ns+"/"+sel.Name+"/"+sel.Key]
		if !ok {
			return nil, errors.New("secret not found")
		}
		return []byte(v), nil
	}
}

func testEnv() trigger.Env {
	return trigger.Env{
		HTTP:    &http.Client{},
		Secrets: secrets(map[string]string{"ns/slack-secret/token": token + "\n"}),
	}
}

var sensor = &v1alpha1.Sensor{ObjectMeta: metav1.ObjectMeta{Name: "sn", Namespace: "ns"}}

var tokenRef = &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "slack-secret"}, Key: "token"}

// triggerOf wraps spec in a trigger named "tr".
func triggerOf(spec *v1alpha1.SlackTrigger) *v1alpha1.Trigger {
	return &v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{Name: "tr", Slack: spec}}
}

// build makes the trigger of spec with kind.
func build(t testing.TB, kind trigger.Kind, env trigger.Env, spec *v1alpha1.SlackTrigger) trigger.Trigger {
	t.Helper()
	tr, err := kind.New(env, sensor, triggerOf(spec))
	require.NoError(t, err)
	return tr
}

func request(eventID, data string) *trigger.Request {
	ev := &event.Event{ID: eventID, Source: "es", Subject: "ev", Type: "webhook", DataContentType: event.ContentTypeJSON, Data: []byte(data)}
	return &trigger.Request{Sensor: sensor, Events: map[string]*event.Event{"dep": ev}, EventID: eventID}
}

func kindFor(f *fakeSlack) trigger.Kind { return slack.NewKind(slack.Options{BaseURL: f.URL()}) }

// memStore is a trigger.Store in memory, shared by the "processes" of a
// restart test.
type memStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *memStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[key], nil
}

func (s *memStore) Put(_ context.Context, key string, val []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.m[key] = val
	return nil
}

func (s *memStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}
