package nats

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	"github.com/herald-dev/herald/internal/clienttls"
)

// connectTimeout bounds one connection attempt.
const connectTimeout = 5 * time.Second

// options are the client options of the source's connection: its name, TLS,
// credentials and handlers that log what the connection goes through.
// After the first connection the client reconnects forever, restoring the
// subscription.
func (s *source) options(ctx context.Context) ([]natsgo.Option, error) {
	log := s.env.Logger
	opts := []natsgo.Option{
		natsgo.Name("herald " + s.scope),
		natsgo.Timeout(connectTimeout),
		natsgo.MaxReconnects(-1),
		natsgo.DisconnectErrHandler(func(_ *natsgo.Conn, err error) {
			if err != nil {
				log.Warn("nats connection lost; reconnecting", "error", err)
			}
		}),
		natsgo.ReconnectHandler(func(c *natsgo.Conn) {
			log.Info("nats connection restored", "url", c.ConnectedUrlRedacted())
		}),
		natsgo.ErrorHandler(func(_ *natsgo.Conn, sub *natsgo.Subscription, err error) {
			if errors.Is(err, natsgo.ErrSlowConsumer) && sub != nil {
				n, _ := sub.Dropped()
				log.Warn("nats messages dropped: the buffer is full while the bus is slow", "dropped_total", n)
				return
			}
			log.Warn("nats connection error", "error", err)
		}),
	}
	tlsCfg, err := clienttls.Config(ctx, s.cfg.TLS, s.env.ReadSecret)
	if err != nil {
		return nil, fmt.Errorf("setting up TLS: %w", err)
	}
	if tlsCfg != nil {
		opts = append(opts, natsgo.Secure(tlsCfg))
	}
	auth, err := s.authOption(ctx)
	if err != nil {
		return nil, err
	}
	if auth != nil {
		opts = append(opts, auth)
	}
	return opts, nil
}

// authOption reads the credentials auth selects; the first set of basic,
// token, nkey and credential wins, as in Argo.
func (s *source) authOption(ctx context.Context) (natsgo.Option, error) {
	a := s.cfg.Auth
	if a == nil {
		return nil, nil
	}
	switch {
	case a.Basic != nil:
		if a.Basic.Username == nil || a.Basic.Password == nil {
			return nil, errors.New("auth.basic needs both username and password")
		}
		user, err := s.env.ReadSecret(ctx, a.Basic.Username)
		if err != nil {
			return nil, fmt.Errorf("reading auth.basic.username: %w", err)
		}
		pass, err := s.env.ReadSecret(ctx, a.Basic.Password)
		if err != nil {
			return nil, fmt.Errorf("reading auth.basic.password: %w", err)
		}
		return natsgo.UserInfo(string(user), string(pass)), nil
	case a.Token != nil:
		token, err := s.env.ReadSecret(ctx, a.Token)
		if err != nil {
			return nil, fmt.Errorf("reading auth.token: %w", err)
		}
		return natsgo.Token(string(token)), nil
	case a.NKey != nil:
		seed, err := s.env.ReadSecret(ctx, a.NKey)
		if err != nil {
			return nil, fmt.Errorf("reading auth.nkey: %w", err)
		}
		return nkeyOption(seed)
	case a.Credential != nil:
		creds, err := s.env.ReadSecret(ctx, a.Credential)
		if err != nil {
			return nil, fmt.Errorf("reading auth.credential: %w", err)
		}
		return credsOption(creds)
	}
	return nil, nil
}

// nkeyOption signs the server's challenge with an NKey seed (a bare seed
// or an NKey seed file's content).
func nkeyOption(seed []byte) (natsgo.Option, error) {
	kp, err := nkeys.ParseDecoratedNKey(bytes.TrimSpace(seed))
	if err != nil {
		return nil, fmt.Errorf("reading the nkey seed of auth.nkey: %w", err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("reading the nkey seed of auth.nkey: %w", err)
	}
	return natsgo.Nkey(pub, kp.Sign), nil
}

// credsOption logs in with a .creds file's user JWT and NKey seed.
func credsOption(creds []byte) (natsgo.Option, error) {
	jwt, err := nkeys.ParseDecoratedJWT(creds)
	if err != nil {
		return nil, fmt.Errorf("reading the user JWT of auth.credential: %w", err)
	}
	kp, err := nkeys.ParseDecoratedUserNKey(creds)
	if err != nil {
		return nil, fmt.Errorf("reading the user seed of auth.credential: %w", err)
	}
	seed, err := kp.Seed()
	if err != nil {
		return nil, fmt.Errorf("reading the user seed of auth.credential: %w", err)
	}
	return natsgo.UserJWTAndSeed(jwt, string(seed)), nil
}
