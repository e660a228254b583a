package http

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"

	"github.com/herald-dev/herald/internal/trigger"
)

// httpClient returns the trigger's client, building it on first use: the
// shared Env.HTTP client with the trigger's timeout, and, when tls is set, a
// clone of its transport with the trigger's TLS setup. A failure (a Secret
// not there yet) is transient and the next firing tries again.
func (t *Trigger) httpClient(ctx context.Context) (*http.Client, error) {
	if c := t.client.Load(); c != nil {
		return c, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if c := t.client.Load(); c != nil {
		return c, nil
	}
	c, err := t.buildClient(ctx)
	if err != nil {
		return nil, err
	}
	t.client.Store(c)
	return c, nil
}

func (t *Trigger) buildClient(ctx context.Context) (*http.Client, error) {
	c := *t.base
	c.Timeout = t.timeout
	if t.spec.TLS == nil {
		return &c, nil
	}
	cfg, err := t.tlsConfig(ctx)
	if err != nil {
		return nil, err
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	ht, ok := base.(*http.Transport)
	if !ok {
		return nil, trigger.Terminal(fmt.Errorf("setting up TLS: the shared HTTP transport is a %T, not an *http.Transport", base))
	}
	ht = ht.Clone()
	ht.TLSClientConfig = cfg
	c.Transport = ht
	return &c, nil
}

// tlsConfig reads the TLS setup as Argo does: insecureSkipVerify alone
// gives a setup that checks nothing; otherwise at least one Secret must be
// set, and the client certificate and key come together.
func (t *Trigger) tlsConfig(ctx context.Context) (*tls.Config, error) {
	spec := t.spec.TLS
	if spec.InsecureSkipVerify {
		return &tls.Config{InsecureSkipVerify: true}, nil //nolint:gosec // asked for by the manifest
	}
	if spec.CACertSecret == nil && spec.ClientCertSecret == nil && spec.ClientKeySecret == nil {
		return nil, trigger.Terminal(errors.New("setting up TLS: none of caCertSecret, clientCertSecret and clientKeySecret is set"))
	}
	if (spec.ClientCertSecret == nil) != (spec.ClientKeySecret == nil) {
		return nil, trigger.Terminal(errors.New("setting up TLS: clientCertSecret and clientKeySecret go together"))
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if spec.CACertSecret != nil {
		ca, err := t.secrets.Read(ctx, t.namespace, spec.CACertSecret)
		if err != nil {
			return nil, fmt.Errorf("setting up TLS: reading caCertSecret: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, trigger.Terminal(errors.New("setting up TLS: caCertSecret holds no PEM certificate"))
		}
		cfg.RootCAs = pool
	}
	if spec.ClientCertSecret != nil {
		cert, err := t.secrets.Read(ctx, t.namespace, spec.ClientCertSecret)
		if err != nil {
			return nil, fmt.Errorf("setting up TLS: reading clientCertSecret: %w", err)
		}
		key, err := t.secrets.Read(ctx, t.namespace, spec.ClientKeySecret)
		if err != nil {
			return nil, fmt.Errorf("setting up TLS: reading clientKeySecret: %w", err)
		}
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, trigger.Terminal(fmt.Errorf("setting up TLS: loading client certificate: %w", err))
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// CloseIdleConnections closes the idle connections of the trigger's own
// transport (when it has one) and of the shared one.
func (t *Trigger) CloseIdleConnections() {
	if c := t.client.Load(); c != nil {
		c.CloseIdleConnections()
	}
}
