// Package natsauthtest makes the decentralised NATS credentials of tests:
// an operator trusting one account, and users' .creds files.
package natsauthtest

import (
	"testing"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
	"github.com/stretchr/testify/require"
)

// Operator returns server options trusting a new operator with a system
// account and one account allowed JetStream, and that account's key pair
// to sign users with.
func Operator(t testing.TB) (*server.Options, nkeys.KeyPair) {
	t.Helper()
	operator, err := nkeys.CreateOperator()
	require.NoError(t, err)
	operatorPub, err := operator.PublicKey()
	require.NoError(t, err)
	resolver := &server.MemAccResolver{}
	newAccount := func(jetStream bool) (nkeys.KeyPair, string) {
		kp, err := nkeys.CreateAccount()
		require.NoError(t, err)
		pub, err := kp.PublicKey()
		require.NoError(t, err)
		claims := jwt.NewAccountClaims(pub)
		if jetStream {
			claims.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1}
		}
		token, err := claims.Encode(operator)
		require.NoError(t, err)
		require.NoError(t, resolver.Store(pub, token))
		return kp, pub
	}
	_, system := newAccount(false)
	account, _ := newAccount(true)
	return &server.Options{TrustedKeys: []string{operatorPub}, AccountResolver: resolver, SystemAccount: system}, account
}

// UserCreds returns the .creds file of a new user of account (the user's
// JWT, signed by the account, and its seed), and the JWT.
func UserCreds(t testing.TB, account nkeys.KeyPair) (creds []byte, userJWT string) {
	t.Helper()
	user, err := nkeys.CreateUser()
	require.NoError(t, err)
	pub, err := user.PublicKey()
	require.NoError(t, err)
	userJWT, err = jwt.NewUserClaims(pub).Encode(account)
	require.NoError(t, err)
	seed, err := user.Seed()
	require.NoError(t, err)
	creds, err = jwt.FormatUserConfig(userJWT, seed)
	require.NoError(t, err)
	return creds, userJWT
}
