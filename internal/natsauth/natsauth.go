// Package natsauth turns an Argo NATSAuth (basic, token, nkey or a
// credentials file, each read from a Secret) into a NATS client option,
// for the nats source and the nats trigger alike.
package natsauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// SecretFunc returns the value of a Secret key.
type SecretFunc func(ctx context.Context, sel *corev1.SecretKeySelector) ([]byte, error)

// ErrInvalid marks credentials no retry can fix: a missing half of basic
// auth, a seed or credentials file that does not parse.
var ErrInvalid = errors.New("invalid NATS credentials")

// Option reads the credentials a selects; the first set of basic, token,
// nkey and credential wins, as in Argo. A nil a (or one with nothing set)
// gives a nil option: no credentials.
func Option(ctx context.Context, a *v1alpha1.NATSAuth, read SecretFunc) (natsgo.Option, error) {
	if a == nil {
		return nil, nil
	}
	switch {
	case a.Basic != nil:
		if a.Basic.Username == nil || a.Basic.Password == nil {
			return nil, fmt.Errorf("%w: auth.basic needs both username and password", ErrInvalid)
		}
		user, err := read(ctx, a.Basic.Username)
		if err != nil {
			return nil, fmt.Errorf("reading auth.basic.username: %w", err)
		}
		pass, err := read(ctx, a.Basic.Password)
		if err != nil {
			return nil, fmt.Errorf("reading auth.basic.password: %w", err)
		}
		return natsgo.UserInfo(string(user), string(pass)), nil
	case a.Token != nil:
		token, err := read(ctx, a.Token)
		if err != nil {
			return nil, fmt.Errorf("reading auth.token: %w", err)
		}
		return natsgo.Token(string(token)), nil
	case a.NKey != nil:
		seed, err := read(ctx, a.NKey)
		if err != nil {
			return nil, fmt.Errorf("reading auth.nkey: %w", err)
		}
		return NKey(seed)
	case a.Credential != nil:
		creds, err := read(ctx, a.Credential)
		if err != nil {
			return nil, fmt.Errorf("reading auth.credential: %w", err)
		}
		return Creds(creds)
	}
	return nil, nil
}

// NKey signs the server's challenge with an NKey seed (a bare seed or an
// NKey seed file's content).
func NKey(seed []byte) (natsgo.Option, error) {
	kp, err := nkeys.ParseDecoratedNKey(bytes.TrimSpace(seed))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the nkey seed of auth.nkey: %w", ErrInvalid, err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("%w: reading the nkey seed of auth.nkey: %w", ErrInvalid, err)
	}
	return natsgo.Nkey(pub, kp.Sign), nil
}

// Creds logs in with a .creds file's user JWT and NKey seed.
func Creds(creds []byte) (natsgo.Option, error) {
	jwt, err := nkeys.ParseDecoratedJWT(creds)
	if err != nil {
		return nil, fmt.Errorf("%w: reading the user JWT of auth.credential: %w", ErrInvalid, err)
	}
	kp, err := nkeys.ParseDecoratedUserNKey(creds)
	if err != nil {
		return nil, fmt.Errorf("%w: reading the user seed of auth.credential: %w", ErrInvalid, err)
	}
	seed, err := kp.Seed()
	if err != nil {
		return nil, fmt.Errorf("%w: reading the user seed of auth.credential: %w", ErrInvalid, err)
	}
	return natsgo.UserJWTAndSeed(jwt, string(seed)), nil
}
