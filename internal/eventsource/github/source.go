// Package github is the "github" event source kind: a webhook endpoint that
// receives GitHub's deliveries, checks their signature and publishes each
// wanted one as an event in Argo Events' shape.
//
// Herald only receives: it never calls GitHub's API, so it neither creates
// nor deletes the hook (apiToken, githubApp, repositories, organizations,
// active, insecure, contentType, deleteHookOnFinish and the base URLs are
// not used; herald lint says so). Create the hook on GitHub with the
// endpoint's URL and the same secret.
//
// The endpoint is served by the webhook kind's servers (webhook.Serve): it
// shares ports with webhooks, answers 200 only once the event is on the bus
// and 503 when the bus cannot take it, and honours authSecret, TLS and
// maxPayloadSize as a webhook does.
package github

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/webhook"
)

// KindName is the kind's key under spec in an EventSource.
const KindName = "github"

// The headers GitHub sends with each delivery.
const (
	// EventHeader names the event type, e.g. "push", "pull_request", "ping".
	EventHeader = "X-GitHub-Event"
	// DeliveryHeader is the delivery's unique id.
	DeliveryHeader = "X-GitHub-Delivery"
)

// Kind is the github kind, registered in eventsource.Default.
var Kind = eventsource.Kind{
	Name:    KindName,
	Configs: func(spec *v1alpha1.EventSourceSpec) map[string]any { return eventsource.ConfigsOf(spec.Github) },
	New: func(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
		return New(env, spec)
	},
	Listener:       true,
	ReportsStarted: true,
	Doc: "Receives GitHub webhook deliveries on an endpoint and publishes each one as an event.\n\n" +
		"The event data has Argo's shape, `{\"headers\": {...}, \"body\": ..., \"metadata\": {...}}`: `body` is the delivery's JSON " +
		"(the `payload` field of a form delivery) with the `X-GitHub-Event` and `X-GitHub-Delivery` headers added as keys, as Argo does. " +
		"With `webhookSecret`, every delivery must carry `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body under the " +
		"Secret's key, compared in constant time; a delivery without it or with a wrong one is answered 401 with no detail. " +
		"The endpoint is a webhook endpoint: it shares ports with webhooks and answers 200 only once the event is stored.\n\n" +
		"Differences from Argo Events: Herald never calls GitHub's API, so it does not create or delete the hook " +
		"(`apiToken`, `githubApp` and `deleteHookOnFinish`, which make Argo call it, are accepted with a lint warning; `repositories`, " +
		"`organizations`, `owner`, `repository`, `id`, `active`, `insecure`, `contentType`, `webhook.url` and the base URLs only describe " +
		"the hook Argo would create, and are not used): create the hook on GitHub yourself. `events` filters what is received: " +
		"a delivery whose `X-GitHub-Event` is not listed (and not `*`) is answered 200 and produces no event (Argo relies on the hook's " +
		"own event list). Only `X-Hub-Signature-256` is checked, not the older SHA-1 `X-Hub-Signature`. The `Authorization` header, if " +
		"any, is masked in the event.",
}

func init() { eventsource.Default.Register(Kind) }

// source is one GitHub endpoint.
type source struct {
	env  eventsource.Env
	spec eventsource.Spec
	cfg  *v1alpha1.GithubEventSource
	opts []webhook.Option
}

var _ eventsource.Source = (*source)(nil)

// New builds the github source of one event; spec.Config is a
// *v1alpha1.GithubEventSource (or the value).
func New(env eventsource.Env, spec eventsource.Spec, opts ...webhook.Option) (eventsource.Source, error) {
	cfg, err := eventsource.ConfigAs[v1alpha1.GithubEventSource](spec)
	if err != nil {
		return nil, fmt.Errorf("building github %s: %w", spec.Name, err)
	}
	if cfg.Webhook == nil {
		return nil, fmt.Errorf("building github %s: no webhook endpoint", spec.Name)
	}
	return &source{env: env, spec: spec, cfg: cfg, opts: opts}, nil
}

// Start serves the endpoint until ctx ends.
func (s *source) Start(ctx context.Context, emit eventsource.Emit) error {
	ep := webhook.Endpoint{Kind: KindName, Context: s.cfg.Webhook, Payload: s.payload}
	if s.cfg.WebhookSecret != nil {
		key, err := webhook.ReadSecret(ctx, s.env, KindName+" "+s.spec.Name, "webhook secret", s.cfg.WebhookSecret)
		if err != nil {
			return err
		}
		ep.Check = func(r *http.Request, body []byte) error {
			return webhook.VerifySignature(key, r.Header.Get(webhook.SignatureHeader), body)
		}
	}
	return webhook.Serve(ctx, s.env, s.spec, ep, emit, s.opts...)
}

// payload is the event data of a delivery: Argo's github shape.
type payload struct {
	Headers  http.Header       `json:"headers"`
	Body     json.RawMessage   `json:"body"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// payload turns a delivery into event data, or webhook.ErrIgnored for an
// event type that events does not list.
func (s *source) payload(r *http.Request, raw []byte) ([]byte, error) {
	if !wanted(s.cfg.Events, r.Header.Get(EventHeader)) {
		return nil, fmt.Errorf("%s %q is not among the events of this source: %w", EventHeader, r.Header.Get(EventHeader), webhook.ErrIgnored)
	}
	doc, err := deliveryJSON(r, raw)
	if err != nil {
		return nil, err
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(doc, &body); err != nil || body == nil {
		return nil, fmt.Errorf("the delivery is not a JSON object")
	}
	for _, h := range []string{EventHeader, DeliveryHeader} {
		v, _ := json.Marshal(r.Header.Get(h))
		body[h] = v
	}
	merged, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encoding the event data: %w", err)
	}
	data, err := json.Marshal(payload{Headers: webhook.MaskHeaders(r.Header, "Authorization"), Body: merged, Metadata: s.cfg.Metadata})
	if err != nil {
		return nil, fmt.Errorf("encoding the event data: %w", err)
	}
	return data, nil
}

// deliveryJSON is the JSON document of a delivery: the body of a JSON
// delivery, the payload field of a form one.
func deliveryJSON(r *http.Request, raw []byte) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, fmt.Errorf("the delivery's Content-Type is not application/json or application/x-www-form-urlencoded")
	}
	switch mt {
	case "application/json":
		return raw, nil
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, fmt.Errorf("parsing the form delivery: %w", err)
		}
		return []byte(form.Get("payload")), nil
	default:
		return nil, fmt.Errorf("the delivery's Content-Type %q is not application/json or application/x-www-form-urlencoded", mt)
	}
}

// wanted reports whether an event type passes the events list: all do when
// it is empty or holds "*".
func wanted(events []string, typ string) bool {
	return len(events) == 0 || slices.Contains(events, "*") || slices.Contains(events, typ)
}
