package engine

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/natsauth/natsauthtest"
	"github.com/herald-dev/herald/internal/testenv"
)

func TestParseStreamConfig(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     jetstream.StreamOptions
		err      string
	}{
		{
			"argo's defaults", "maxMsgs: 1000000\nmaxAge: 72h\nmaxBytes: 1GB\nreplicas: 3\nduplicates: 300s\n",
			jetstream.StreamOptions{MaxMsgs: 1000000, MaxAge: 72 * time.Hour, MaxBytes: 1 << 30, Replicas: 3, DuplicatesWindow: 300 * time.Second},
			"",
		},
		{"numeric bytes", "maxBytes: 1048576\n", jetstream.StreamOptions{MaxBytes: 1 << 20}, ""},
		{"quantity", "maxBytes: 2Gi\n", jetstream.StreamOptions{MaxBytes: 2 << 30}, ""},
		{"bad age", "maxAge: forever\n", jetstream.StreamOptions{}, "maxAge"},
		{"unknown key, not applied (lint warns)", "maxMessages: 3\nmaxMsgs: 5\n", jetstream.StreamOptions{MaxMsgs: 5}, ""},
		{"bad size", "maxBytes: lots\n", jetstream.StreamOptions{}, "maxBytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStreamConfig(tc.in)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestExoticOptions(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, val string) {
		p := filepath.Join(dir, "secrets", rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte(val), 0o600))
	}
	write("bus/auth.yaml", "username: herald\npassword: s3cret\ntoken: tok\n")
	write("bus-tls/ca.crt", "CA PEM")
	env := eventsource.Env{Secrets: eventsource.FileSecrets(filepath.Join(dir, "secrets"))}
	sel := func(name, key string) *corev1.SecretKeySelector {
		return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
	}
	token := v1alpha1.AuthStrategyToken

	o, err := exoticOptions(t.Context(), &v1alpha1.JetStreamConfig{
		URL: "nats://a:4222,nats://b:4222", AccessSecret: sel("bus", "auth.yaml"),
		TLS:          &v1alpha1.TLSConfig{CACertSecret: sel("bus-tls", "ca.crt")},
		StreamConfig: "replicas: 3\n",
	}, "argo-events", env, filepath.Join(dir, "tls"))
	require.NoError(t, err)
	require.Equal(t, []string{"nats://a:4222", "nats://b:4222"}, o.URLs)
	require.Equal(t, jetstream.AuthOptions{User: "herald", Password: "s3cret"}, o.Auth, "basic auth by default, as Argo")
	require.Equal(t, 3, o.Stream.Replicas)
	ca, err := os.ReadFile(o.TLS.CAFile)
	require.NoError(t, err)
	require.Equal(t, "CA PEM", string(ca))

	o, err = exoticOptions(t.Context(), &v1alpha1.JetStreamConfig{URL: "nats://a:4222", AccessSecret: sel("bus", "auth.yaml"), Auth: &token}, "ns", env, dir)
	require.NoError(t, err)
	require.Equal(t, jetstream.AuthOptions{Token: "tok"}, o.Auth)

	_, err = exoticOptions(t.Context(), &v1alpha1.JetStreamConfig{URL: "nats://a:4222", AccessSecret: sel("missing", "auth.yaml")}, "ns", env, dir)
	require.ErrorContains(t, err, "reading the event bus credentials")

	// jwt: the Secret holds a credentials file, handed to the client as one.
	const creds = "-----BEGIN NATS USER JWT-----\neyJ0eXAi...\n------END NATS USER JWT------\n"
	write("bus/creds", creds)
	jwt := v1alpha1.AuthStrategyJWT
	o, err = exoticOptions(t.Context(), &v1alpha1.JetStreamConfig{URL: "nats://a:4222", AccessSecret: sel("bus", "creds"), Auth: &jwt}, "ns", env, filepath.Join(dir, "jwt"))
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "jwt", "credentials.creds"), o.Auth.CredsFile)
	got, err := os.ReadFile(o.Auth.CredsFile)
	require.NoError(t, err)
	require.Equal(t, creds, string(got))

	oauth := v1alpha1.AuthStrategy("oauth")
	_, err = exoticOptions(t.Context(), &v1alpha1.JetStreamConfig{URL: "nats://a:4222", AccessSecret: sel("bus", "creds"), Auth: &oauth}, "ns", env, dir)
	require.ErrorContains(t, err, `event bus auth "oauth" is not supported (want none, token, basic or jwt)`)
}

// TestExoticBusWithJWTCredentials connects to a JetStream server in
// operator mode with an EventBus whose access Secret is a user's .creds
// file (auth: jwt), and publishes through it; without them the server
// refuses the connection.
func TestExoticBusWithJWTCredentials(t *testing.T) {
	opts, account := natsauthtest.Operator(t)
	srv, err := testenv.StartNATSWith(opts)
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	creds, _ := natsauthtest.UserCreds(t, account)
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secrets", "bus", "user.creds")
	require.NoError(t, os.MkdirAll(filepath.Dir(secretFile), 0o700))
	require.NoError(t, os.WriteFile(secretFile, creds, 0o600))
	env := eventsource.Env{Secrets: eventsource.FileSecrets(filepath.Join(dir, "secrets"))}
	jwt := v1alpha1.AuthStrategyJWT
	spec := &v1alpha1.JetStreamConfig{
		URL: srv.URL, Auth: &jwt,
		AccessSecret: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "bus"}, Key: "user.creds"},
	}

	o, err := exoticOptions(t.Context(), spec, "ns", env, filepath.Join(dir, "bus"))
	require.NoError(t, err)
	bus, err := jetstream.Connect(t.Context(), o)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, bus.Close(context.Background())) })
	ack, err := bus.Publish(t.Context(), &event.Event{ID: "e1", Source: "hooks", Subject: "push", Type: "webhook", Time: time.Now(), DataContentType: event.ContentTypeJSON, Data: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, uint64(1), ack.Sequence)

	o.Auth = jetstream.AuthOptions{}
	_, err = jetstream.Connect(t.Context(), o)
	require.ErrorContains(t, err, "Authorization Violation")
}

// TestEventBusSettingsReachTheEmbeddedServer connects the bus of a process
// whose EventBus has jetstream settings, with and without --bus-sync: the
// embedded server runs with the settings, the flag winning.
func TestEventBusSettingsReachTheEmbeddedServer(t *testing.T) {
	eventBus := func(settings string) *v1alpha1.EventBus {
		return &v1alpha1.EventBus{
			ObjectMeta: metav1.ObjectMeta{Name: "default"},
			Spec:       v1alpha1.EventBusSpec{JetStream: &v1alpha1.JetStreamBus{Version: "latest", Settings: &settings}},
		}
	}
	for _, tc := range []struct {
		name     string
		settings string
		flag     string
		want     string
	}{
		{name: "no settings", want: "sync=2m0s"},
		{name: "sync always", settings: "sync_interval: always\nmax_file_store: 1TB\n", want: "sync=always"},
		{name: "an interval", settings: "sync_interval: 10s", want: "sync=10s"},
		{name: "the flag wins", settings: "sync_interval: always", flag: "30s", want: "sync=30s"},
		{name: "the flag alone", flag: "always", want: "sync=always"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logged testenv.Buffer
			cfg := Config{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(&logged, nil)), ShutdownTimeout: 5 * time.Second}
			if tc.settings != "" {
				cfg.EventBuses = []*v1alpha1.EventBus{eventBus(tc.settings)}
			}
			switch tc.flag {
			case "always":
				cfg.BusSyncAlways = true
			case "":
			default:
				d, err := time.ParseDuration(tc.flag)
				require.NoError(t, err)
				cfg.BusSyncInterval = d
			}
			_, stop, err := connectBus(t.Context(), cfg, eventsource.Env{})
			require.NoError(t, err)
			stop()
			require.Contains(t, logged.String(), `msg="embedded nats server started"`)
			require.Contains(t, logged.String(), tc.want)
		})
	}
	_, _, err := connectBus(t.Context(), Config{
		DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler),
		EventBuses: []*v1alpha1.EventBus{eventBus("max_file_store: lots")},
	}, eventsource.Env{})
	require.ErrorContains(t, err, "EventBus default: reading the event bus settings: max_file_store: lots is not a size")
}
