package nats_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/testenv"
	"github.com/herald-dev/herald/internal/trigger"
	natstrigger "github.com/herald-dev/herald/internal/trigger/nats"
	"github.com/herald-dev/herald/internal/trigger/triggertest"
)

func TestConformance(t *testing.T) {
	triggertest.Run(t, triggertest.Harness{
		New: func(t *testing.T) trigger.Trigger {
			srv := startServer(t)
			return build(t, &v1alpha1.NATSTrigger{URL: srv.URL, Subject: "minio-events", Payload: minioPayload})
		},
		Request: request,
		Blocking: func(t *testing.T) trigger.Trigger {
			return build(t, &v1alpha1.NATSTrigger{URL: silentServer(t), Subject: "minio-events", Payload: minioPayload})
		},
	})
}

func TestPublishesArgoPayload(t *testing.T) {
	srv := startServer(t)
	msgs := subscribe(t, srv, "minio-events")
	// The URL of Argo's example: no scheme.
	url := srv.URL[len("nats://"):]
	tr := build(t, &v1alpha1.NATSTrigger{URL: url, Subject: "minio-events", Payload: minioPayload})
	res, err := tr.Execute(t.Context(), request(1))
	require.NoError(t, err)
	require.Equal(t, "nats "+url+" minio-events", res.Ref)
	m := next(t, msgs)
	require.JSONEq(t, `{"fileName":"file-1.txt","bucket":"input"}`, string(m.Data))
	require.Equal(t, "ev-1", m.Header.Get(natsgo.MsgIdHdr))
}

func TestParametersRewriteSubject(t *testing.T) {
	srv := startServer(t)
	msgs := subscribe(t, srv, "routed")
	tr := build(t, &v1alpha1.NATSTrigger{
		URL: srv.URL, Subject: "minio-events", Payload: minioPayload,
		Parameters: []v1alpha1.TriggerParameter{p("subject", "subject")},
	})
	_, err := tr.Execute(t.Context(), request(2))
	require.NoError(t, err)
	require.JSONEq(t, `{"fileName":"file-2.txt","bucket":"input"}`, string(next(t, msgs).Data))
}

func TestJetStreamDropsARepeatedFiring(t *testing.T) {
	srv := startServer(t)
	nc, err := natsgo.Connect(srv.URL)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	stream, err := js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "FILES", Subjects: []string{"minio-events"}})
	require.NoError(t, err)

	tr := build(t, &v1alpha1.NATSTrigger{URL: srv.URL, Subject: "minio-events", Payload: minioPayload})
	for range 2 {
		_, err := tr.Execute(t.Context(), request(7))
		require.NoError(t, err)
	}
	_, err = tr.Execute(t.Context(), request(8))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		info, err := stream.Info(t.Context())
		return err == nil && info.State.Msgs == 2
	}, 10*time.Second, 10*time.Millisecond, "the firing published twice is stored once")
}

func TestServerUnreachable(t *testing.T) {
	port, err := testenv.FreePort()
	require.NoError(t, err)
	tr := build(t, &v1alpha1.NATSTrigger{URL: fmt.Sprintf("nats://user:secret@127.0.0.1:%d", port), Subject: "s", Payload: minioPayload})
	_, err = tr.Execute(t.Context(), request(1))
	require.ErrorContains(t, err, fmt.Sprintf("connecting to nats nats://user:xxxxx@127.0.0.1:%d: ", port))
	require.NotContains(t, err.Error(), "secret")
	require.False(t, trigger.IsTerminal(err), "an unreachable server is retried: %v", err)
}

func TestServerGoneAfterConnecting(t *testing.T) {
	srv := startServer(t)
	tr := build(t, &v1alpha1.NATSTrigger{URL: srv.URL, Subject: "s", Payload: minioPayload})
	_, err := tr.Execute(t.Context(), request(1))
	require.NoError(t, err)
	srv.Stop()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, err = tr.Execute(ctx, request(2))
	require.Error(t, err, "a publish the server did not receive is not a success")
	require.False(t, trigger.IsTerminal(err), "a lost server is retried: %v", err)
}

func TestTerminalErrors(t *testing.T) {
	srv := startServer(t)
	tests := []struct {
		name string
		spec v1alpha1.NATSTrigger
		want string
	}{
		{"no payload", v1alpha1.NATSTrigger{URL: srv.URL, Subject: "s"}, "preparing nats message: no payload"},
		{
			"subject with a space",
			v1alpha1.NATSTrigger{URL: srv.URL, Subject: "a b", Payload: minioPayload},
			`preparing nats message: subject "a b" is not a NATS subject`,
		},
		{"payload that does not resolve", v1alpha1.NATSTrigger{URL: srv.URL, Subject: "s", Payload: []v1alpha1.TriggerParameter{
			{Src: &v1alpha1.TriggerParameterSource{DependencyName: "test-dep", DataKey: "missing"}, Dest: "x"},
		}}, "preparing nats message: building payload"},
		{
			"a client certificate without its key",
			v1alpha1.NATSTrigger{URL: srv.URL, Subject: "s", Payload: minioPayload, TLS: &v1alpha1.TLSConfig{ClientCertSecret: tlsSecret("cert")}},
			"setting up TLS: invalid TLS setup: clientCertSecret and clientKeySecret go together",
		},
		{
			"a Secret and no secret reader",
			v1alpha1.NATSTrigger{URL: srv.URL, Subject: "s", Payload: minioPayload, TLS: &v1alpha1.TLSConfig{CACertSecret: tlsSecret("ca")}},
			"setting up TLS: reading caCertSecret: reading secret tls/ca: no secret reader configured",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(t, &tt.spec).Execute(t.Context(), request(1))
			require.ErrorContains(t, err, tt.want)
			require.True(t, trigger.IsTerminal(err), "%v", err)
		})
	}
}

func TestConnectionsAreSharedAndClosedWhenIdle(t *testing.T) {
	srv := startServer(t)
	conns := natstrigger.NewConns(50 * time.Millisecond)
	t.Cleanup(conns.Close)
	spec := &v1alpha1.NATSTrigger{URL: srv.URL, Subject: "s", Payload: minioPayload}
	for i := range 3 {
		tr, err := natstrigger.NewWithConns(trigger.Env{}, sensor(), template(spec), conns)
		require.NoError(t, err)
		_, err = tr.Execute(t.Context(), request(i))
		require.NoError(t, err)
		require.LessOrEqual(t, srv.Server.NumClients(), 1, "one connection for every trigger on the server")
	}
	require.Eventually(t, func() bool { return srv.Server.NumClients() == 0 }, 10*time.Second, 10*time.Millisecond,
		"an idle connection is closed")
	tr, err := natstrigger.NewWithConns(trigger.Env{}, sensor(), template(spec), conns)
	require.NoError(t, err)
	_, err = tr.Execute(t.Context(), request(9))
	require.NoError(t, err, "the next firing dials again")
}

func TestRender(t *testing.T) {
	tr := build(t, &v1alpha1.NATSTrigger{URL: "nats://u:p@nats:4222", Subject: "minio-events", Payload: minioPayload})
	out, err := tr.Render(t.Context(), request(3), trigger.RenderOptions{Server: true})
	require.NoError(t, err)
	require.Equal(t, "publish", out.Operation)
	require.Equal(t, "nats://u:xxxxx@nats:4222 minio-events", out.Target)
	require.JSONEq(t, `{"fileName":"file-3.txt","bucket":"input"}`, string(out.Object))
	require.Equal(t, map[string]string{"Nats-Msg-Id": "ev-3"}, out.Headers)
	require.Len(t, out.Parameters, 2)
	require.Len(t, out.Notes, 1)
}

func tlsSecret(key string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "tls"}, Key: key}
}

func TestAuth(t *testing.T) {
	srv, err := testenv.StartNATSWith(&server.Options{Authorization: "t0ken"})
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	sub, err := natsgo.Connect(srv.URL, natsgo.Token("t0ken"))
	require.NoError(t, err)
	t.Cleanup(sub.Close)
	msgs := make(chan *natsgo.Msg, 10)
	_, err = sub.ChanSubscribe("minio-events", msgs)
	require.NoError(t, err)
	require.NoError(t, sub.Flush())

	secrets := func(_ context.Context, ns string, sel *corev1.SecretKeySelector) ([]byte, error) {
		if ns == "argo-events" && sel.Name == "nats" && sel.Key == "token" {
			return []byte("t0ken"), nil
		}
		return nil, errors.New("not found")
	}
	withAuth := func(a *v1alpha1.NATSAuth) *natstrigger.Trigger {
		conns := natstrigger.NewConns(0)
		t.Cleanup(conns.Close)
		tr, err := natstrigger.NewWithConns(trigger.Env{Secrets: secrets}, sensor(),
			template(&v1alpha1.NATSTrigger{URL: srv.URL, Subject: "minio-events", Payload: minioPayload, Auth: a}), conns)
		require.NoError(t, err)
		return tr
	}
	key := func(name, key string) *corev1.SecretKeySelector {
		return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
	}

	_, err = withAuth(&v1alpha1.NATSAuth{Token: key("nats", "token")}).Execute(t.Context(), request(1))
	require.NoError(t, err)
	require.JSONEq(t, `{"fileName":"file-1.txt","bucket":"input"}`, string(next(t, msgs).Data))

	// Refused without credentials, or with a Secret not there (yet): retried.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, err = withAuth(nil).Execute(ctx, request(2))
	require.Error(t, err)
	require.False(t, trigger.IsTerminal(err), "%v", err)
	_, err = withAuth(&v1alpha1.NATSAuth{Token: key("nats", "missing")}).Execute(t.Context(), request(3))
	require.ErrorContains(t, err, "setting up the credentials: reading auth.token")
	require.False(t, trigger.IsTerminal(err), "%v", err)

	// Credentials that cannot work: terminal.
	_, err = withAuth(&v1alpha1.NATSAuth{Basic: &v1alpha1.BasicAuth{Username: key("nats", "token")}}).Execute(t.Context(), request(4))
	require.ErrorContains(t, err, "auth.basic needs both username and password")
	require.True(t, trigger.IsTerminal(err), "%v", err)
}
