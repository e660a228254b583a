// Package gitlab is the "gitlab" event source kind: a webhook endpoint that
// receives GitLab's hook requests, checks their secret token and publishes
// each wanted one as an event in Argo Events' shape.
//
// Herald only receives: it never calls GitLab's API, so it neither creates
// nor deletes the hook (accessToken, projects, groups, projectID,
// gitlabBaseURL, enableSSLVerification and deleteHookOnFinish are not used;
// herald lint says so). Create the hook in GitLab with the endpoint's URL
// and the same secret token.
//
// The endpoint is served by the webhook kind's servers (webhook.Serve), with
// the same rules as a webhook: shared ports, 200 only once the event is on
// the bus, 503 when the bus cannot take it, authSecret, TLS, maxPayloadSize.
package gitlab

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/webhook"
)

// KindName is the kind's key under spec in an EventSource.
const KindName = "gitlab"

// The headers GitLab sends with each hook request.
const (
	// EventHeader names the event, e.g. "Push Hook".
	EventHeader = "X-Gitlab-Event"
	// TokenHeader carries the hook's secret token as is.
	TokenHeader = "X-Gitlab-Token"
)

// EventHeaders maps the names of the hook options that a GitLab source's
// events lists (as Argo names them, after GitLab's API) to the
// X-Gitlab-Event value of the requests they turn on.
var EventHeaders = map[string]string{
	"PushEvents":                "Push Hook",
	"TagPushEvents":             "Tag Push Hook",
	"IssuesEvents":              "Issue Hook",
	"ConfidentialIssuesEvents":  "Confidential Issue Hook",
	"MergeRequestsEvents":       "Merge Request Hook",
	"NoteEvents":                "Note Hook",
	"ConfidentialNoteEvents":    "Confidential Note Hook",
	"JobEvents":                 "Job Hook",
	"PipelineEvents":            "Pipeline Hook",
	"WikiPageEvents":            "Wiki Page Hook",
	"EmojiEvents":               "Emoji Hook",
	"DeploymentEvents":          "Deployment Hook",
	"ReleasesEvents":            "Release Hook",
	"FeatureFlagEvents":         "Feature Flag Hook",
	"ResourceAccessTokenEvents": "Resource Access Token Hook",
	"MemberEvents":              "Member Hook",
	"SubGroupEvents":            "Subgroup Hook",
	"ProjectEvents":             "Project Hook",
	"MilestoneEvents":           "Milestone Hook",
	"VulnerabilityEvents":       "Vulnerability Hook",
}

// EventNames returns the names EventHeaders knows, sorted.
func EventNames() []string {
	names := make([]string, 0, len(EventHeaders))
	for n := range EventHeaders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Kind is the gitlab kind, registered in eventsource.Default.
var Kind = eventsource.Kind{
	Name:    KindName,
	Configs: func(spec *v1alpha1.EventSourceSpec) map[string]any { return eventsource.ConfigsOf(spec.Gitlab) },
	New: func(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
		return New(env, spec)
	},
	Listener:       true,
	ReportsStarted: true,
	Doc: "Receives GitLab webhook requests on an endpoint and publishes each one as an event.\n\n" +
		"The event data has Argo's shape, `{\"headers\": {...}, \"body\": ..., \"metadata\": {...}}`, `body` being the request's JSON. " +
		"With `secretToken`, every request must carry the Secret's value in `X-Gitlab-Token`, compared in constant time; a request " +
		"without it or with a wrong one is answered 401 with no detail. `events` lists hook options as Argo names them " +
		"(`PushEvents`, `MergeRequestsEvents`, `TagPushEvents`, `IssuesEvents`, `NoteEvents`, `PipelineEvents`, `JobEvents`, ...): " +
		"a request whose `X-Gitlab-Event` belongs to none of them is answered 200 and produces no event. " +
		"The endpoint is a webhook endpoint: it shares ports with webhooks and answers 200 only once the event is stored.\n\n" +
		"Differences from Argo Events: Herald never calls GitLab's API, so it does not create or delete the hook (`accessToken` and " +
		"`deleteHookOnFinish`, which make Argo call it, are accepted with a lint warning; `projects`, `groups`, `projectID`, " +
		"`gitlabBaseURL`, `enableSSLVerification` and `webhook.url` only describe the hook Argo would create, are not used and need " +
		"not be set): create the hook in GitLab yourself. Argo passes the request's headers on as they " +
		"are; Herald masks `X-Gitlab-Token` (the secret itself) and `Authorization` in the event. A body that is not JSON is refused " +
		"with 400.",
}

func init() { eventsource.Default.Register(Kind) }

// source is one GitLab endpoint.
type source struct {
	env    eventsource.Env
	spec   eventsource.Spec
	cfg    *v1alpha1.GitlabEventSource
	opts   []webhook.Option
	wanted map[string]bool // X-Gitlab-Event values; nil: all
}

var _ eventsource.Source = (*source)(nil)

// New builds the gitlab source of one event; spec.Config is a
// *v1alpha1.GitlabEventSource (or the value).
func New(env eventsource.Env, spec eventsource.Spec, opts ...webhook.Option) (eventsource.Source, error) {
	cfg, err := eventsource.ConfigAs[v1alpha1.GitlabEventSource](spec)
	if err != nil {
		return nil, fmt.Errorf("building gitlab %s: %w", spec.Name, err)
	}
	if cfg.Webhook == nil {
		return nil, fmt.Errorf("building gitlab %s: no webhook endpoint", spec.Name)
	}
	s := &source{env: env, spec: spec, cfg: cfg, opts: opts}
	for _, e := range cfg.Events {
		h, ok := EventHeaders[e]
		if !ok {
			return nil, fmt.Errorf("building gitlab %s: unknown event %q", spec.Name, e)
		}
		if s.wanted == nil {
			s.wanted = map[string]bool{}
		}
		s.wanted[h] = true
	}
	return s, nil
}

// Start serves the endpoint until ctx ends.
func (s *source) Start(ctx context.Context, emit eventsource.Emit) error {
	ep := webhook.Endpoint{Kind: KindName, Context: s.cfg.Webhook, Payload: s.payload}
	if s.cfg.SecretToken != nil {
		token, err := webhook.ReadSecret(ctx, s.env, KindName+" "+s.spec.Name, "secret token", s.cfg.SecretToken)
		if err != nil {
			return err
		}
		ep.Check = func(r *http.Request, _ []byte) error {
			if !webhook.EqualToken(r.Header.Get(TokenHeader), token) {
				return fmt.Errorf("%s missing or wrong: %w", TokenHeader, webhook.ErrUnauthorized)
			}
			return nil
		}
	}
	return webhook.Serve(ctx, s.env, s.spec, ep, emit, s.opts...)
}

// payload is the event data of a request: Argo's gitlab shape.
type payload struct {
	Headers  http.Header       `json:"headers"`
	Body     json.RawMessage   `json:"body"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// payload turns a request into event data, or webhook.ErrIgnored for an
// event that events does not turn on.
func (s *source) payload(r *http.Request, raw []byte) ([]byte, error) {
	if typ := r.Header.Get(EventHeader); s.wanted != nil && !s.wanted[typ] {
		return nil, fmt.Errorf("%s %q is not among the events of this source: %w", EventHeader, typ, webhook.ErrIgnored)
	}
	if !json.Valid(raw) {
		return nil, fmt.Errorf("the request body is not JSON")
	}
	data, err := json.Marshal(payload{
		Headers:  webhook.MaskHeaders(r.Header, TokenHeader, "Authorization"),
		Body:     raw,
		Metadata: s.cfg.Metadata,
	})
	if err != nil {
		return nil, fmt.Errorf("encoding the event data: %w", err)
	}
	return data, nil
}
