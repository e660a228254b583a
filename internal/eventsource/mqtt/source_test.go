package mqtt

import (
	"fmt"
	"testing"
	"time"

	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

func TestPayloadHasArgoShape(t *testing.T) {
	b := startBroker(t, nil)
	cfg := &v1alpha1.MQTTEventSource{URL: b.url, Topic: "sensors/#", ClientID: "herald-shape", JSONBody: true, Metadata: map[string]string{"site": "lab"}}
	rec := &sourcetest.Recorder{}
	src, err := New(testEnv(nil), testSpec("sensors", cfg))
	require.NoError(t, err)
	sourcetest.Background(t, src, rec.Emit)
	b.waitSubscribed(t, cfg.ClientID, cfg.Topic, 1)
	b.publish(t, "sensors/kitchen/temp", `{"celsius":21.5}`)
	require.Eventually(t, func() bool { return len(rec.Events()) == 1 }, 10*time.Second, 10*time.Millisecond)
	require.JSONEq(t, `{"topic":"sensors/kitchen/temp","messageId":1,"body":{"celsius":21.5},"metadata":{"site":"lab"}}`, string(rec.Events()[0].Data))
}

func TestNonJSONBodyIsRejectedCountedAndAcknowledged(t *testing.T) {
	b := startBroker(t, nil)
	cfg := &v1alpha1.MQTTEventSource{URL: b.url, Topic: "in", ClientID: "herald-bad", JSONBody: true}
	rec := &sourcetest.Recorder{}
	src, err := newSource(testEnv(nil), testSpec("in", cfg))
	require.NoError(t, err)
	sourcetest.Background(t, src, rec.Emit)
	b.waitSubscribed(t, cfg.ClientID, cfg.Topic, 1)
	b.publish(t, "in", "not json")
	require.Eventually(t, func() bool { return src.rejected.Load() == 1 && b.inflight(cfg.ClientID) == 0 }, 10*time.Second, 10*time.Millisecond,
		"a message that cannot become an event is acknowledged, so the broker does not send it again")
	b.publish(t, "in", `{"ok":true}`)
	require.Eventually(t, func() bool { return len(rec.Events()) == 1 }, 10*time.Second, 10*time.Millisecond, "the source goes on")
	require.Equal(t, 0, rec.Attempts()-1, "the rejected message never reached the bus")
}

func TestFinalPublishErrorIsCountedAndAcknowledged(t *testing.T) {
	b := startBroker(t, nil)
	cfg := &v1alpha1.MQTTEventSource{URL: b.url, Topic: "in", ClientID: "herald-final"}
	rec := &sourcetest.Recorder{}
	rec.SetErr(fmt.Errorf("event too large"))
	src, err := newSource(testEnv(nil), testSpec("in", cfg))
	require.NoError(t, err)
	sourcetest.Background(t, src, rec.Emit)
	b.waitSubscribed(t, cfg.ClientID, cfg.Topic, 1)
	b.publish(t, "in", "x")
	require.Eventually(t, func() bool { return src.rejected.Load() == 1 && b.inflight(cfg.ClientID) == 0 }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, 1, rec.Attempts(), "an error other than unavailable is not retried")
}

func TestAuth(t *testing.T) {
	b := startBroker(t, auth.AuthRules{{Username: "herald", Password: "s3cret", Allow: true}})
	sec := secrets{"mqtt/user": "herald", "mqtt/pass": "s3cret", "mqtt/wrong": "nope"}
	cfg := &v1alpha1.MQTTEventSource{
		URL: b.url, Topic: "in", ClientID: "herald-auth",
		Auth: &v1alpha1.BasicAuth{Username: secretKey("mqtt", "user"), Password: secretKey("mqtt", "pass")},
	}
	rec := &sourcetest.Recorder{}
	src, err := New(testEnv(sec), testSpec("in", cfg))
	require.NoError(t, err)
	sourcetest.Background(t, src, rec.Emit)
	b.waitSubscribed(t, cfg.ClientID, cfg.Topic, 1)
	b.publish(t, "in", "x")
	require.Eventually(t, func() bool { return len(rec.Events()) == 1 }, 10*time.Second, 10*time.Millisecond)

	bad := *cfg
	bad.ClientID = "herald-auth-bad"
	bad.ConnectionBackoff = &v1alpha1.Backoff{Steps: 1}
	bad.Auth = &v1alpha1.BasicAuth{Username: secretKey("mqtt", "user"), Password: secretKey("mqtt", "wrong")}
	src, err = New(testEnv(sec), testSpec("in", &bad))
	require.NoError(t, err)
	require.ErrorContains(t, src.Start(t.Context(), rec.Emit), "connecting to mqtt")
}

func TestBadInput(t *testing.T) {
	oneTry := &v1alpha1.Backoff{Steps: 1}
	for name, tc := range map[string]struct {
		cfg  v1alpha1.MQTTEventSource
		want string
	}{
		"nobody listens":  {cfg: v1alpha1.MQTTEventSource{URL: "tcp://127.0.0.1:1", ConnectionBackoff: oneTry}, want: "connecting to mqtt tcp://127.0.0.1:1: giving up after 1 attempts"},
		"not a url":       {cfg: v1alpha1.MQTTEventSource{URL: "tcp://[::1", ConnectionBackoff: oneTry}, want: "connecting to mqtt tcp://[::1"},
		"password masked": {cfg: v1alpha1.MQTTEventSource{URL: "tcp://u:secret@127.0.0.1:1", ConnectionBackoff: oneTry}, want: "connecting to mqtt tcp://u:xxxxx@127.0.0.1:1:"},
		"missing secret":  {cfg: v1alpha1.MQTTEventSource{URL: "tcp://127.0.0.1:1", Auth: &v1alpha1.BasicAuth{Username: secretKey("x", "y"), Password: secretKey("x", "z")}}, want: "reading auth.username"},
		"half auth":       {cfg: v1alpha1.MQTTEventSource{URL: "tcp://127.0.0.1:1", Auth: &v1alpha1.BasicAuth{Username: secretKey("x", "y")}}, want: "auth needs both username and password"},
		"bad tls":         {cfg: v1alpha1.MQTTEventSource{URL: "ssl://127.0.0.1:1", TLS: &v1alpha1.TLSConfig{ClientCertSecret: secretKey("x", "y")}}, want: "clientCertSecret and clientKeySecret go together"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Topic, cfg.ClientID = "in", "herald-bad-input"
			src, err := New(testEnv(nil), testSpec("in", &cfg))
			require.NoError(t, err)
			require.ErrorContains(t, src.Start(t.Context(), (&sourcetest.Recorder{}).Emit), tc.want)
		})
	}
	for name, cfg := range map[string]v1alpha1.MQTTEventSource{
		"no url":       {Topic: "in", ClientID: "c"},
		"no topic":     {URL: "tcp://x", ClientID: "c"},
		"no client id": {URL: "tcp://x", Topic: "in"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(testEnv(nil), testSpec("in", &cfg))
			require.Error(t, err)
		})
	}
}
