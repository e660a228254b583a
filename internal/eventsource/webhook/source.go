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
// An endpoint may ask for a bearer token (authSecret) and, as a Herald
// extension (hmacSecret), for a GitHub-style signature of the body; both are
// compared in constant time and a failure is answered 401 with no detail.
// Other HTTP-based kinds (github, gitlab) serve their endpoints through
// Serve, sharing these servers and rules.
//
// Each request gets a fresh event id, unless the client sends an
// Idempotency-Key header: the id is then derived from the EventSource, the
// event name and the key, so that a client that sends the same request again
// (after a timeout, say) does not produce a second event within the bus's
// deduplication window.
package webhook

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

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
	Listener:       true,
	ReportsStarted: true,
	Doc: "Receives HTTP requests on an endpoint and publishes each one as an event.\n\n" +
		"The event data has Argo's shape, `{\"header\": {...}, \"body\": ..., \"metadata\": {...}}`: the body is the request's JSON, " +
		"the query parameters for GET, or the fields of a form. Webhooks on the same port share one server, which also answers `/health`.\n\n" +
		"Differences from Argo Events: a request is answered 200 only once the bus has stored its event; when the bus cannot take it " +
		"the client gets 503 with `Retry-After: 1` and should send it again. A body that is not JSON becomes a JSON string and an empty " +
		"body null (Argo refuses both). A client may send an `Idempotency-Key` header: the event id is then derived from it, so that a " +
		"repeated request does not produce a second event. The `Authorization` header is masked in the event.\n\n" +
		"With `authSecret`, a request must carry `Authorization: Bearer <token>`; as a Herald extension (Argo Events rejects it), " +
		"`hmacSecret` makes every request carry `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of its raw body under the Secret's key, " +
		"as GitHub signs its deliveries. Both are compared in constant time; a request that fails either is answered 401 with no detail. " +
		"A body over `maxPayloadSize` (1 MiB by default) is refused with 413 before it is read, or as soon as a chunked body passes the limit.",
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

// source is one webhook endpoint.
type source struct {
	env  eventsource.Env
	spec eventsource.Spec
	cfg  *v1alpha1.WebhookEventSource
	opts []Option
}

var _ eventsource.Source = (*source)(nil)

// New builds the webhook source of one event; spec.Config is a
// *v1alpha1.WebhookEventSource (or the value).
func New(env eventsource.Env, spec eventsource.Spec, opts ...Option) (eventsource.Source, error) {
	cfg, err := eventsource.ConfigAs[v1alpha1.WebhookEventSource](spec)
	if err != nil {
		return nil, fmt.Errorf("building webhook %s: %w", spec.Name, err)
	}
	if cfg.Port == "" {
		return nil, fmt.Errorf("building webhook %s: no port", spec.Name)
	}
	if !strings.HasPrefix(cfg.Endpoint, "/") {
		return nil, fmt.Errorf("building webhook %s: endpoint %q does not start with /", spec.Name, cfg.Endpoint)
	}
	return &source{env: env, spec: spec, cfg: cfg, opts: opts}, nil
}

// Start serves the endpoint until ctx ends, then removes it (stopping the
// port's server if it was the last endpoint) once its requests in flight
// have been answered.
func (s *source) Start(ctx context.Context, emit eventsource.Emit) error {
	ep := Endpoint{
		Context: &s.cfg.WebhookContext,
		Payload: func(r *http.Request, body []byte) ([]byte, error) {
			return buildPayload(r, body, s.cfg.Metadata)
		},
	}
	if s.cfg.HMACSecret != nil {
		key, err := ReadSecret(ctx, s.env, "webhook "+s.spec.Name, "HMAC secret", s.cfg.HMACSecret)
		if err != nil {
			return err
		}
		ep.Check = func(r *http.Request, body []byte) error {
			return VerifySignature(key, r.Header.Get(SignatureHeader), body)
		}
	}
	return Serve(ctx, s.env, s.spec, ep, emit, s.opts...)
}
