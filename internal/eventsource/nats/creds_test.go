package nats

import (
	"testing"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

// userCreds returns a .creds file of a new user of account, signed by it.
func userCreds(t *testing.T, account nkeys.KeyPair) []byte {
	t.Helper()
	user, err := nkeys.CreateUser()
	require.NoError(t, err)
	pub, err := user.PublicKey()
	require.NoError(t, err)
	userJWT, err := jwt.NewUserClaims(pub).Encode(account)
	require.NoError(t, err)
	seed, err := user.Seed()
	require.NoError(t, err)
	creds, err := jwt.FormatUserConfig(userJWT, seed)
	require.NoError(t, err)
	return creds
}

// A server in operator mode lets in the users of a .creds file.
func TestCredentialFile(t *testing.T) {
	operator, err := nkeys.CreateOperator()
	require.NoError(t, err)
	operatorPub, err := operator.PublicKey()
	require.NoError(t, err)
	account, err := nkeys.CreateAccount()
	require.NoError(t, err)
	accountPub, err := account.PublicKey()
	require.NoError(t, err)
	accountJWT, err := jwt.NewAccountClaims(accountPub).Encode(operator)
	require.NoError(t, err)
	resolver := &server.MemAccResolver{}
	require.NoError(t, resolver.Store(accountPub, accountJWT))
	srv := startServer(t, &server.Options{TrustedKeys: []string{operatorPub}, AccountResolver: resolver, NoSystemAccount: true})

	pubCreds := userCreds(t, account)
	jwtText, err := nkeys.ParseDecoratedJWT(pubCreds)
	require.NoError(t, err)
	kp, err := nkeys.ParseDecoratedUserNKey(pubCreds)
	require.NoError(t, err)
	seed, err := kp.Seed()
	require.NoError(t, err)
	pub := dial(t, srv.ClientURL(), natsgo.UserJWTAndSeed(jwtText, string(seed)))

	cfg := &v1alpha1.NATSEventsSource{URL: srv.ClientURL(), Subject: "in", Auth: &v1alpha1.NATSAuth{Credential: secretKey("nats", "creds")}}
	src, err := New(testEnv(secrets{"nats/creds": string(userCreds(t, account))}), testSpec("in", cfg))
	require.NoError(t, err)
	rec := &sourcetest.Recorder{}
	sourcetest.Background(t, src, rec.Emit)
	require.NoError(t, request(t, pub, "in", &natsgo.Msg{Data: []byte("x")}))
	require.Len(t, rec.Events(), 1)
}
