package nats

import (
	"testing"

	natsgo "github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/natsauth"
	"github.com/herald-dev/herald/internal/natsauth/natsauthtest"
)

// A server in operator mode lets in the users of a .creds file.
func TestCredentialFile(t *testing.T) {
	opts, account := natsauthtest.Operator(t)
	srv := startServer(t, opts)

	pubCreds, _ := natsauthtest.UserCreds(t, account)
	login, err := natsauth.Creds(pubCreds)
	require.NoError(t, err)
	pub := dial(t, srv.ClientURL(), login)

	creds, _ := natsauthtest.UserCreds(t, account)
	cfg := &v1alpha1.NATSEventsSource{URL: srv.ClientURL(), Subject: "in", Auth: &v1alpha1.NATSAuth{Credential: secretKey("nats", "creds")}}
	src, err := New(testEnv(secrets{"nats/creds": string(creds)}), testSpec("in", cfg))
	require.NoError(t, err)
	rec := &sourcetest.Recorder{}
	sourcetest.Background(t, src, rec.Emit)
	require.NoError(t, request(t, pub, "in", &natsgo.Msg{Data: []byte("x")}))
	require.Len(t, rec.Events(), 1)
}
