package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
)

// Endpoint is what an HTTP-based source kind (webhook, github, gitlab, ...)
// serves: the endpoint of its WebhookContext, how a request is checked, and
// what event data it becomes. Serve runs it on the process's shared
// servers, with the bearer token, TLS, body limit and answer-after-publish
// rules of the webhook kind.
type Endpoint struct {
	// Kind names the source kind in errors, e.g. "github" ("webhook" when
	// empty).
	Kind string
	// Context is the endpoint's port, path, method, TLS Secrets, bearer
	// token (authSecret) and body limit.
	Context *v1alpha1.WebhookContext
	// Check, when set, checks a request and its raw body before it becomes
	// an event: a signature, a provider's token. An error answers 401 with
	// no detail, and is logged at debug level without the request's
	// headers.
	Check func(r *http.Request, body []byte) error
	// Payload turns an accepted request and its raw body into event data.
	// An error wrapping ErrIgnored answers 200 and produces no event (an
	// event type the source does not want); any other error answers 400
	// with the error's text, which must not quote secrets.
	Payload func(r *http.Request, body []byte) ([]byte, error)
}

// ErrIgnored marks a request that is valid but not wanted: it is answered
// 200 so that the sender does not retry it, and produces no event.
var ErrIgnored = errors.New("request ignored")

// ErrUnauthorized is what a Check returns (wrapped) for a request whose
// credentials are missing or wrong.
var ErrUnauthorized = errors.New("unauthorized")

// Serve serves ep for the event spec until ctx ends, then removes the
// endpoint (stopping the port's server if it was the last one) once its
// requests in flight have been answered. It reports the source started
// (Env.ReportStarted) once the port listens and the endpoint is routed, so
// kinds serving through it set Kind.ReportsStarted. It returns an error when the
// endpoint cannot be served: a Secret that cannot be read, a bad
// certificate, a port taken by another process.
func Serve(ctx context.Context, env eventsource.Env, spec eventsource.Spec, ep Endpoint, emit eventsource.Emit, opts ...Option) error {
	if ep.Kind == "" {
		ep.Kind = KindName
	}
	name := ep.Kind + " " + spec.Name
	wc := ep.Context
	if wc == nil {
		return fmt.Errorf("serving %s: no webhook endpoint configured", name)
	}
	if wc.Port == "" {
		return fmt.Errorf("serving %s: no port", name)
	}
	if !strings.HasPrefix(wc.Endpoint, "/") {
		return fmt.Errorf("serving %s: endpoint %q does not start with /", name, wc.Endpoint)
	}
	if ep.Payload == nil {
		return fmt.Errorf("serving %s: no payload builder", name)
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	o := serveOptions{timeouts: DefaultTimeouts}
	for _, opt := range opts {
		opt(&o)
	}
	rt, err := newRoute(ctx, env, spec, ep, emit)
	if err != nil {
		return err
	}
	var cert *tls.Certificate
	if wc.ServerCertSecret != nil && wc.ServerKeySecret != nil {
		if cert, err = loadCertificate(ctx, env, name, wc); err != nil {
			return err
		}
	}
	set := servers(env)
	srv, err := set.acquire(serverConfig{
		addr: net.JoinHostPort(strings.Trim(env.WebhookHost, "[]"), wc.Port), cert: cert, timeouts: o.timeouts, log: env.Logger,
	}, rt)
	if err != nil {
		return fmt.Errorf("serving %s on port %s: %w", name, wc.Port, err)
	}
	env.ReportStarted()
	env.Logger.Info("webhook endpoint ready", "port", wc.Port, "endpoint", wc.Endpoint, "method", wc.Method)
	<-ctx.Done()
	set.release(srv, rt)
	env.Logger.Info("webhook endpoint stopped", "port", wc.Port, "endpoint", wc.Endpoint)
	return nil
}

// serveOptions are what Options tune.
type serveOptions struct {
	timeouts Timeouts
}

// Option tunes how an endpoint is served.
type Option func(*serveOptions)

// WithTimeouts sets the server's timeouts; they apply when this endpoint is
// the one that starts its port's server.
func WithTimeouts(t Timeouts) Option {
	return func(o *serveOptions) { o.timeouts = t }
}

// servers returns the process's webhook servers, shared through env.Shared
// by every HTTP-based kind.
func servers(env eventsource.Env) *serverSet {
	shared := env.Shared
	if shared == nil {
		// Without a shared set, this endpoint cannot share its port.
		shared = eventsource.NewShared()
	}
	return shared.GetOrCreate(KindName, func() any { return newServerSet() }).(*serverSet)
}

// ReadSecret reads the Secret key sel of an event source, dropping one
// trailing newline as Argo does (files written by editors end with one).
// what names the value and event its source ("webhook push") in the error,
// which never holds the value.
func ReadSecret(ctx context.Context, env eventsource.Env, event, what string, sel *corev1.SecretKeySelector) ([]byte, error) {
	v, err := env.ReadSecret(ctx, sel)
	if err != nil {
		return nil, fmt.Errorf("reading the %s of %s: %w", what, event, err)
	}
	return []byte(strings.TrimSuffix(string(v), "\n")), nil
}

// loadCertificate reads the TLS certificate and key the endpoint serves.
func loadCertificate(ctx context.Context, env eventsource.Env, event string, wc *v1alpha1.WebhookContext) (*tls.Certificate, error) {
	certPEM, err := ReadSecret(ctx, env, event, "server certificate", wc.ServerCertSecret)
	if err != nil {
		return nil, err
	}
	keyPEM, err := ReadSecret(ctx, env, event, "server key", wc.ServerKeySecret)
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// The parse error names no key material.
		return nil, fmt.Errorf("loading the TLS certificate of %s: %w", event, err)
	}
	return &cert, nil
}
