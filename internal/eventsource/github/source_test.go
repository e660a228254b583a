package github

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/eventsource/webhook"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

func secretRef(name, key string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
}

// TestDeliveries sends deliveries to a source with a webhook secret and an
// events list: only signed deliveries of a listed type become events.
func TestDeliveries(t *testing.T) {
	const key = "gh-hook-secret-41"
	port := webhooktest.FreePort(t)
	cfg := hookConfig(port)
	cfg.WebhookSecret = secretRef("gh", "secret")
	cfg.Events = []string{"push", "pull_request"}
	cfg.Metadata = map[string]string{"team": "a"}
	rec := &sourcetest.Recorder{}
	u := start(t, webhooktest.Env(webhooktest.Secrets{"gh/secret": key + "\n"}), testSpec("push", cfg), rec.Emit)

	push := `{"ref":"refs/heads/main","after":"abc"}`
	form := url.Values{"payload": {push}}.Encode()
	signed := func(typ, body string) http.Header {
		return http.Header{EventHeader: {typ}, DeliveryHeader: {"d-1"}, webhook.SignatureHeader: {webhook.Sign([]byte(key), []byte(body))}}
	}
	tests := []struct {
		name        string
		contentType string
		body        string
		header      http.Header
		wantStatus  int
		wantEvent   bool
	}{
		{name: "signed push", contentType: "application/json", body: push, header: signed("push", push), wantStatus: 200, wantEvent: true},
		{name: "signed form delivery", contentType: "application/x-www-form-urlencoded", body: form, header: signed("push", form), wantStatus: 200, wantEvent: true},
		{name: "event not listed", contentType: "application/json", body: push, header: signed("issues", push), wantStatus: 200},
		{name: "ping not listed", contentType: "application/json", body: `{"zen":"x"}`, header: signed("ping", `{"zen":"x"}`), wantStatus: 200},
		{name: "unsigned", contentType: "application/json", body: push, header: http.Header{EventHeader: {"push"}}, wantStatus: 401},
		{name: "wrong signature", contentType: "application/json", body: push, header: signed("push", push+" "), wantStatus: 401},
		{name: "unsigned, event not listed", contentType: "application/json", body: push, header: http.Header{EventHeader: {"issues"}}, wantStatus: 401},
		{name: "not an object", contentType: "application/json", body: `[1]`, header: signed("push", `[1]`), wantStatus: 400},
		{name: "not JSON", contentType: "text/plain", body: push, header: signed("push", push), wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(rec.Events())
			status, answer := webhooktest.Deliver(t, u, tt.contentType, tt.body, tt.header)
			require.Equal(t, tt.wantStatus, status, answer)
			require.NotContains(t, answer, key)
			want := before
			if tt.wantEvent {
				want++
			}
			require.Len(t, rec.Events(), want)
		})
	}

	evs := rec.Events()
	require.Len(t, evs, 2)
	for _, ev := range evs {
		var data struct {
			Headers  http.Header       `json:"headers"`
			Body     map[string]any    `json:"body"`
			Metadata map[string]string `json:"metadata"`
		}
		require.NoError(t, json.Unmarshal(ev.Data, &data), "%s", ev.Data)
		require.Equal(t, "refs/heads/main", data.Body["ref"])
		require.Equal(t, "push", data.Body[EventHeader], "Argo adds the event header to the body")
		require.Equal(t, "d-1", data.Body[DeliveryHeader])
		require.Equal(t, "push", data.Headers.Get(EventHeader), "headers as Go canonicalizes them, as in Argo")
		require.Equal(t, map[string]string{"team": "a"}, data.Metadata)
		require.NotContains(t, string(ev.Data), key)
	}
}

// TestNoSecretNoEvents accepts any delivery when neither webhookSecret
// nor events is set, as Argo does.
func TestNoSecretNoEvents(t *testing.T) {
	rec := &sourcetest.Recorder{}
	u := start(t, webhooktest.Env(nil), testSpec("any", hookConfig(webhooktest.FreePort(t))), rec.Emit)
	status, _ := webhooktest.Deliver(t, u, "application/json", `{"zen":"hi"}`, http.Header{EventHeader: {"ping"}, "Authorization": {"token x"}})
	require.Equal(t, 200, status)
	require.Len(t, rec.Events(), 1)
	require.Contains(t, string(rec.Events()[0].Data), webhook.MaskedValue)
	require.NotContains(t, string(rec.Events()[0].Data), "token x")
}

func TestWebhookSecretMissing(t *testing.T) {
	cfg := hookConfig(webhooktest.FreePort(t))
	cfg.WebhookSecret = secretRef("nope", "k")
	src, err := New(webhooktest.Env(webhooktest.Secrets{}), testSpec("x", cfg))
	require.NoError(t, err)
	err = src.Start(t.Context(), (&sourcetest.Recorder{}).Emit)
	require.ErrorContains(t, err, "reading the webhook secret of github x")
}
