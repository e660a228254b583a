// Package webhook is the "webhook" event source kind: each event listens on
// an HTTP endpoint and turns every accepted request into an event, as Argo
// Events' webhook source does, with Herald's durability.
//
// Webhooks on the same port share one HTTP server, which starts with the
// first endpoint and stops when the last one leaves; every port also answers
// /health with 200. A request is answered 200 only after the bus has
// acknowledged its event; when the bus cannot take it, the client gets 503
// with Retry-After: 1 and should send the request again.
//
// The event data has Argo's shape: {"header": {name: [values]}, "body": ...,
// "metadata": {...}}. The body is the request's JSON for a JSON body, the
// query parameters for GET, the fields for a form body (name → [values]), as
// in Argo. Where Argo refuses a request, Herald accepts it: a body that is
// not JSON becomes a JSON string, an empty body null, and methods other than
// GET carry their body as POST does. The Authorization header is masked.
//
// Each request gets a fresh event id, unless the client sends an
// Idempotency-Key header: the id is then derived from the EventSource, the
// event name and the key, so that a client that sends the same request again
// (after a timeout, say) does not produce a second event within the bus's
// deduplication window.
package webhook

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
)

// KindName is the kind's key under spec in an EventSource.
const KindName = "webhook"

// Kind is the webhook kind, registered in eventsource.Default.
var Kind = eventsource.Kind{
	Name:    KindName,
	Configs: func(spec *v1alpha1.EventSourceSpec) map[string]any { return eventsource.ConfigsOf(spec.Webhook) },
	New: func(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
		return New(env, spec)
	},
	Listener: true,
	Doc: "Receives HTTP requests on an endpoint and publishes each one as an event.\n\n" +
		"The event data has Argo's shape, `{\"header\": {...}, \"body\": ..., \"metadata\": {...}}`: the body is the request's JSON, " +
		"the query parameters for GET, or the fields of a form. Webhooks on the same port share one server, which also answers `/health`.\n\n" +
		"Differences from Argo Events: a request is answered 200 only once the bus has stored its event; when the bus cannot take it " +
		"the client gets 503 with `Retry-After: 1` and should send it again. A body that is not JSON becomes a JSON string and an empty " +
		"body null (Argo refuses both). A client may send an `Idempotency-Key` header: the event id is then derived from it, so that a " +
		"repeated request does not produce a second event. The `Authorization` header is masked in the event.",
}

func init() { eventsource.Default.Register(Kind) }

// Timeouts bound how long the server waits for slow clients.
type Timeouts struct {
	// ReadHeader bounds reading a request's headers.
	ReadHeader time.Duration
	// Read bounds reading a whole request, body included.
	Read time.Duration
	// Write bounds handling a request and writing its response, the
	// publish to the bus included.
	Write time.Duration
	// Idle bounds how long a kept-alive connection waits for its next
	// request.
	Idle time.Duration
}

// DefaultTimeouts are the timeouts of a webhook server.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: time.Minute, Write: time.Minute, Idle: 2 * time.Minute}

// Option tunes a webhook source.
type Option func(*source)

// WithTimeouts sets the server's timeouts; they apply when this source is
// the one that starts its port's server.
func WithTimeouts(t Timeouts) Option {
	return func(s *source) { s.timeouts = t }
}

// source is one webhook endpoint.
type source struct {
	env      eventsource.Env
	spec     eventsource.Spec
	cfg      *v1alpha1.WebhookEventSource
	timeouts Timeouts
}

var _ eventsource.Source = (*source)(nil)

// New builds the webhook source of one event; spec.Config is a
// *v1alpha1.WebhookEventSource (or the value).
func New(env eventsource.Env, spec eventsource.Spec, opts ...Option) (eventsource.Source, error) {
	var cfg *v1alpha1.WebhookEventSource
	switch c := spec.Config.(type) {
	case *v1alpha1.WebhookEventSource:
		cfg = c
	case v1alpha1.WebhookEventSource:
		cfg = &c
	default:
		return nil, fmt.Errorf("building webhook %s: config is a %T, want *v1alpha1.WebhookEventSource", spec.Name, spec.Config)
	}
	if cfg.Port == "" {
		return nil, fmt.Errorf("building webhook %s: no port", spec.Name)
	}
	if !strings.HasPrefix(cfg.Endpoint, "/") {
		return nil, fmt.Errorf("building webhook %s: endpoint %q does not start with /", spec.Name, cfg.Endpoint)
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	s := &source{env: env, spec: spec, cfg: cfg, timeouts: DefaultTimeouts}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Start serves the endpoint until ctx ends, then removes it (stopping the
// port's server if it was the last endpoint) once its requests in flight
// have been answered.
func (s *source) Start(ctx context.Context, emit eventsource.Emit) error {
	rt, err := s.newRoute(ctx, emit)
	if err != nil {
		return err
	}
	var cert *tls.Certificate
	if s.cfg.ServerCertSecret != nil && s.cfg.ServerKeySecret != nil {
		if cert, err = s.loadCertificate(ctx); err != nil {
			return err
		}
	}
	set := s.servers()
	srv, err := set.acquire(serverConfig{
		addr: s.addr(), cert: cert, timeouts: s.timeouts, log: s.env.Logger,
	}, rt)
	if err != nil {
		return fmt.Errorf("serving webhook %s on port %s: %w", s.spec.Name, s.cfg.Port, err)
	}
	s.env.Logger.Info("webhook endpoint ready", "port", s.cfg.Port, "endpoint", s.cfg.Endpoint, "method", s.cfg.Method)
	<-ctx.Done()
	set.release(srv, rt)
	s.env.Logger.Info("webhook endpoint stopped", "port", s.cfg.Port, "endpoint", s.cfg.Endpoint)
	return nil
}

// addr is the listen address of the port.
func (s *source) addr() string {
	return net.JoinHostPort(strings.Trim(s.env.WebhookHost, "[]"), s.cfg.Port)
}

// servers returns the process's webhook servers, shared through env.Shared.
func (s *source) servers() *serverSet {
	shared := s.env.Shared
	if shared == nil {
		// Without a shared set, this source cannot share its port.
		shared = eventsource.NewShared()
	}
	return shared.GetOrCreate(KindName, func() any { return newServerSet() }).(*serverSet)
}

// secret reads a Secret key, dropping one trailing newline as Argo does
// (files written by editors end with one).
func (s *source) secret(ctx context.Context, what string, sel *corev1.SecretKeySelector) ([]byte, error) {
	v, err := s.env.ReadSecret(ctx, sel)
	if err != nil {
		return nil, fmt.Errorf("reading the %s of webhook %s: %w", what, s.spec.Name, err)
	}
	return []byte(strings.TrimSuffix(string(v), "\n")), nil
}

// loadCertificate reads the TLS certificate and key the endpoint serves.
func (s *source) loadCertificate(ctx context.Context) (*tls.Certificate, error) {
	certPEM, err := s.secret(ctx, "server certificate", s.cfg.ServerCertSecret)
	if err != nil {
		return nil, err
	}
	keyPEM, err := s.secret(ctx, "server key", s.cfg.ServerKeySecret)
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("loading the TLS certificate of webhook %s: %w", s.spec.Name, err)
	}
	return &cert, nil
}
