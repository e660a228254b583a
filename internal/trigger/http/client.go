package http

import (
	"context"
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
	cfg, err := trigger.TLSConfig(ctx, t.spec.TLS, t.secrets, t.namespace)
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

// CloseIdleConnections closes the idle connections of the trigger's own
// transport (when it has one) and of the shared one.
func (t *Trigger) CloseIdleConnections() {
	if c := t.client.Load(); c != nil {
		c.CloseIdleConnections()
	}
}
