package gitlab

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/eventsource/webhook"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

func secretRef(name, key string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
}

// TestRequests sends hook requests to a source with a secret token and an
// events list: only requests with the token and a listed event become
// events, and the token never travels in the event.
func TestRequests(t *testing.T) {
	const token = "gl-secret-token-93"
	port := webhooktest.FreePort(t)
	cfg := hookConfig(port)
	cfg.SecretToken = secretRef("gl", "token")
	cfg.Events = []string{"PushEvents", "MergeRequestsEvents"}
	cfg.Metadata = map[string]string{"team": "b"}
	rec := &sourcetest.Recorder{}
	u := start(t, webhooktest.Env(webhooktest.Secrets{"gl/token": token + "\n"}), testSpec("push", cfg), rec.Emit)

	push := `{"object_kind":"push","ref":"refs/heads/main"}`
	with := func(typ, tok string) http.Header {
		h := http.Header{EventHeader: {typ}}
		if tok != "" {
			h.Set(TokenHeader, tok)
		}
		return h
	}
	tests := []struct {
		name       string
		body       string
		header     http.Header
		wantStatus int
		wantEvent  bool
	}{
		{name: "push with the token", body: push, header: with("Push Hook", token), wantStatus: 200, wantEvent: true},
		{name: "merge request with the token", body: `{"object_kind":"merge_request"}`, header: with("Merge Request Hook", token), wantStatus: 200, wantEvent: true},
		{name: "event not listed", body: `{"object_kind":"note"}`, header: with("Note Hook", token), wantStatus: 200},
		{name: "no token", body: push, header: with("Push Hook", ""), wantStatus: 401},
		{name: "wrong token", body: push, header: with("Push Hook", "guess"), wantStatus: 401},
		{name: "token prefix", body: push, header: with("Push Hook", token[:5]), wantStatus: 401},
		{name: "token as a bearer", body: push, header: http.Header{EventHeader: {"Push Hook"}, "Authorization": {"Bearer " + token}}, wantStatus: 401},
		{name: "not JSON", body: "push!", header: with("Push Hook", token), wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(rec.Events())
			status, answer := webhooktest.Deliver(t, u, "application/json", tt.body, tt.header)
			require.Equal(t, tt.wantStatus, status, answer)
			require.NotContains(t, answer, token)
			want := before
			if tt.wantEvent {
				want++
			}
			require.Len(t, rec.Events(), want)
		})
	}
	evs := rec.Events()
	require.Len(t, evs, 2)
	var data struct {
		Headers  http.Header       `json:"headers"`
		Body     map[string]any    `json:"body"`
		Metadata map[string]string `json:"metadata"`
	}
	require.NoError(t, json.Unmarshal(evs[0].Data, &data))
	require.Equal(t, "push", data.Body["object_kind"])
	require.Equal(t, "Push Hook", data.Headers.Get(EventHeader))
	require.Equal(t, webhook.MaskedValue, data.Headers.Get(TokenHeader), "the token is masked")
	require.Equal(t, map[string]string{"team": "b"}, data.Metadata)
	for _, ev := range evs {
		require.NotContains(t, string(ev.Data), token)
	}
}

func TestUnknownEvent(t *testing.T) {
	cfg := hookConfig("1")
	cfg.Events = []string{"PushEvent"}
	_, err := New(webhooktest.Env(nil), testSpec("x", cfg))
	require.ErrorContains(t, err, `unknown event "PushEvent"`)
}

// TestEventNamesValidate checks that lint accepts every event name the
// source knows, and no other: the two lists agree.
func TestEventNamesValidate(t *testing.T) {
	for _, e := range append(EventNames(), "NoSuchEvents") {
		cfg := *hookConfig("12000")
		cfg.Events = []string{e}
		es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "gl"}, Spec: v1alpha1.EventSourceSpec{Gitlab: map[string]v1alpha1.GitlabEventSource{"a": cfg}}}
		support := validation.DefaultSupport()
		support.EventSources[KindName] = true
		res := validation.ValidateEventSource(es, support)
		if e == "NoSuchEvents" {
			require.False(t, res.OK(), e)
			continue
		}
		require.True(t, res.OK(), "%s: %v", e, res.Errors)
	}
}
