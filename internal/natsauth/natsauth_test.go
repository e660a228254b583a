package natsauth_test

import (
	"context"
	"errors"
	"testing"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/natsauth"
	"github.com/herald-dev/herald/internal/natsauth/natsauthtest"
)

func sel(key string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "nats"}, Key: key}
}

func TestOption(t *testing.T) {
	account, err := nkeys.CreateAccount()
	require.NoError(t, err)
	creds, userJWT := natsauthtest.UserCreds(t, account)
	user, err := nkeys.CreateUser()
	require.NoError(t, err)
	seed, err := user.Seed()
	require.NoError(t, err)
	userPub, err := user.PublicKey()
	require.NoError(t, err)
	values := map[string]string{"user": "herald", "pass": "s3cret", "token": "t0ken", "seed": string(seed) + "\n", "creds": string(creds), "junk": "not a key"}
	read := func(_ context.Context, s *corev1.SecretKeySelector) ([]byte, error) {
		v, ok := values[s.Key]
		if !ok {
			return nil, errors.New("no such secret")
		}
		return []byte(v), nil
	}
	tests := []struct {
		name    string
		auth    *v1alpha1.NATSAuth
		check   func(t *testing.T, o *natsgo.Options)
		err     string
		invalid bool
	}{
		{name: "none", check: func(t *testing.T, o *natsgo.Options) { require.Nil(t, o) }},
		{
			name: "basic", auth: &v1alpha1.NATSAuth{Basic: &v1alpha1.BasicAuth{Username: sel("user"), Password: sel("pass")}},
			check: func(t *testing.T, o *natsgo.Options) {
				require.Equal(t, []string{"herald", "s3cret"}, []string{o.User, o.Password})
			},
		},
		{
			name: "token", auth: &v1alpha1.NATSAuth{Token: sel("token")},
			check: func(t *testing.T, o *natsgo.Options) { require.Equal(t, "t0ken", o.Token) },
		},
		{
			name: "nkey", auth: &v1alpha1.NATSAuth{NKey: sel("seed")},
			check: func(t *testing.T, o *natsgo.Options) { require.Equal(t, userPub, o.Nkey) },
		},
		{
			name: "credential", auth: &v1alpha1.NATSAuth{Credential: sel("creds")},
			check: func(t *testing.T, o *natsgo.Options) {
				got, err := o.UserJWT()
				require.NoError(t, err)
				require.Equal(t, userJWT, got)
			},
		},
		{
			name: "basic wins over token, as in Argo", auth: &v1alpha1.NATSAuth{Basic: &v1alpha1.BasicAuth{Username: sel("user"), Password: sel("pass")}, Token: sel("token")},
			check: func(t *testing.T, o *natsgo.Options) { require.Empty(t, o.Token) },
		},
		{name: "half of basic", auth: &v1alpha1.NATSAuth{Basic: &v1alpha1.BasicAuth{Username: sel("user")}}, err: "auth.basic needs both username and password", invalid: true},
		{name: "a seed that is not one", auth: &v1alpha1.NATSAuth{NKey: sel("junk")}, err: "reading the nkey seed of auth.nkey", invalid: true},
		{name: "a creds file that is not one", auth: &v1alpha1.NATSAuth{Credential: sel("junk")}, err: "auth.credential", invalid: true},
		{name: "a Secret that cannot be read", auth: &v1alpha1.NATSAuth{Token: sel("missing")}, err: "reading auth.token: no such secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt, err := natsauth.Option(t.Context(), tt.auth, read)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				require.Equal(t, tt.invalid, errors.Is(err, natsauth.ErrInvalid), "ErrInvalid marks what no retry fixes")
				return
			}
			require.NoError(t, err)
			var o *natsgo.Options
			if opt != nil {
				o = &natsgo.Options{}
				require.NoError(t, opt(o))
			}
			tt.check(t, o)
		})
	}
}
