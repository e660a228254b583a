package amqp

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/internal/clienttls"
	"github.com/herald-dev/herald/internal/eventsource/connect"
)

// heartbeat is the connection's heartbeat interval, as Argo sets it.
const heartbeat = 10 * time.Second

// dialTimeout bounds one connection attempt (TCP and the AMQP handshake).
const dialTimeout = 10 * time.Second

// connect opens the connection to the broker, trying connectionBackoff's
// steps; it fails with the last error once they are spent (the runner then
// starts the source again after its own backoff) or when ctx ends.
func (s *source) connect(ctx context.Context) (*amqp.Connection, error) {
	addr, cfg, err := s.dialConfig(ctx)
	if err != nil {
		return nil, err
	}
	shown := redact(addr)
	var conn *amqp.Connection
	err = connect.Retry(ctx, s.settings.backoff, s.env.Logger.With("url", shown), func(ctx context.Context) error {
		c, err := dial(ctx, addr, cfg)
		conn = c
		return err
	})
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil:
		return nil, fmt.Errorf("connecting to amqp broker %s: %w", shown, err)
	}
	return conn, nil
}

// dial makes one connection attempt, abandoned when ctx ends.
func dial(ctx context.Context, addr string, cfg amqp.Config) (*amqp.Connection, error) {
	type result struct {
		conn *amqp.Connection
		err  error
	}
	done := make(chan result, 1)
	go func() {
		conn, err := amqp.DialConfig(addr, cfg)
		done <- result{conn, err}
	}()
	select {
	case r := <-done:
		return r.conn, r.err
	case <-ctx.Done():
		go func() {
			if r := <-done; r.conn != nil {
				_ = r.conn.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// dialConfig returns the broker URL (from url or urlSecret) and the
// connection's configuration: heartbeat, credentials from auth (which win
// over any in the URL) and TLS.
func (s *source) dialConfig(ctx context.Context) (string, amqp.Config, error) {
	cfg := amqp.Config{Heartbeat: heartbeat, Locale: "en_US", Dial: amqp.DefaultDial(dialTimeout)}
	addr := s.cfg.URL
	if s.cfg.URLSecret != nil {
		v, err := s.secret(ctx, "urlSecret", s.cfg.URLSecret)
		if err != nil {
			return "", cfg, err
		}
		addr = v
	}
	if addr == "" {
		return "", cfg, errors.New("no broker url: set url or urlSecret")
	}
	if _, err := amqp.ParseURI(addr); err != nil {
		return "", cfg, fmt.Errorf("reading the broker url %s: %w", redact(addr), err)
	}
	if a := s.cfg.Auth; a != nil {
		if a.Username == nil || a.Password == nil {
			return "", cfg, errors.New("auth needs both username and password")
		}
		user, err := s.secret(ctx, "auth.username", a.Username)
		if err != nil {
			return "", cfg, err
		}
		pass, err := s.secret(ctx, "auth.password", a.Password)
		if err != nil {
			return "", cfg, err
		}
		cfg.SASL = []amqp.Authentication{&amqp.PlainAuth{Username: user, Password: pass}}
	}
	tc, err := clienttls.Config(ctx, s.cfg.TLS, s.env.ReadSecret)
	if err != nil {
		return "", cfg, fmt.Errorf("setting up TLS: %w", err)
	}
	cfg.TLSClientConfig = tc
	return addr, cfg, nil
}

// secret reads a Secret key, without the trailing newline editors add.
func (s *source) secret(ctx context.Context, what string, sel *corev1.SecretKeySelector) (string, error) {
	v, err := s.env.ReadSecret(ctx, sel)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", what, err)
	}
	return strings.TrimSuffix(string(v), "\n"), nil
}

// redact writes a broker URL without its password.
func redact(addr string) string {
	u, err := url.Parse(addr)
	if err != nil {
		return "<unparsable url>"
	}
	return u.Redacted()
}
