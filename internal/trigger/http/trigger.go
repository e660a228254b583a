// Package http is the "http" trigger kind: it sends one HTTP request per
// firing, as Argo Events' http trigger does, with a JSON body built from the
// payload parameters, headers (plain, from Secrets, basic auth) and an
// optional TLS setup of its own.
package http

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpguts"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/sensor/param"
	"github.com/herald-dev/herald/internal/trigger"
)

// Kind is the "http" trigger kind.
var Kind = trigger.Kind{
	Name: "http",
	New:  New,
	Doc: "Sends an HTTP request whose JSON body is built from event values.\n\n" +
		"`payload` parameters build the body, `parameters` rewrite the trigger's own fields (url, method, headers) per firing; " +
		"`secureHeaders` and `basicAuth` are read from Secrets at each request, so a rotated Secret is picked up.\n\n" +
		"Differences from Argo Events: without `policy.status.allow`, a status of 400 or more is a failure (Argo takes every status as " +
		"success), so that a failing receiver is retried. A 5xx, 429 or 408, a connection error or a timeout is retried with the trigger's " +
		"`retryStrategy`; any other failure is final. Every request carries `X-Herald-Event-Id` and `Idempotency-Key` headers so that a " +
		"receiver can recognise a redelivery.",
}

func init() { trigger.Default.Register(Kind) }

// Headers Herald adds so that receivers can recognise a redelivery.
const (
	HeaderEventID        = "X-Herald-Event-Id"
	HeaderIdempotencyKey = "Idempotency-Key"
)

const (
	// defaultTimeout is Argo's request timeout when timeout is not set.
	defaultTimeout = 60 * time.Second
	// maxDrain is the most of a response body read (and dropped) so that
	// the connection can be reused; a longer body closes the connection.
	maxDrain = 1 << 20
	// maxSnippet is the most of an error response body quoted in the error.
	maxSnippet = 256
)

// Trigger sends HTTP requests. It is safe for concurrent use.
type Trigger struct {
	namespace string
	name      string
	spec      *v1alpha1.HTTPTrigger
	payload   *param.Compiled
	params    *param.Compiled
	headers   *param.Compiled // dynamicHeaders
	allow     []int
	secrets   trigger.SecretReader
	timeout   time.Duration

	base   *http.Client
	mu     sync.Mutex                  // held while building the client
	client atomic.Pointer[http.Client] // built on first use (TLS needs Secrets)
}

var _ trigger.Trigger = (*Trigger)(nil)

// New builds the http trigger of t. Call it once per trigger of a Sensor:
// the client (its TLS setup and connection pool) lives in the trigger.
// Execute takes url, method, payload, headers and parameters from the
// request's trigger (after trigger-level parameters), and the TLS setup,
// timeout and policy from t.
func New(env trigger.Env, sensor *v1alpha1.Sensor, t *v1alpha1.Trigger) (trigger.Trigger, error) {
	if t.Template == nil || t.Template.HTTP == nil {
		return nil, errors.New("building http trigger: template has no http section")
	}
	spec := t.Template.HTTP
	for _, h := range spec.SecureHeaders {
		if h == nil || h.ValueFrom == nil || h.ValueFrom.SecretKeyRef == nil {
			return nil, fmt.Errorf("building http trigger %s: secure header %q: only secretKeyRef is supported", t.Template.Name, headerName(h))
		}
	}
	payload, err := param.CompilePayload(spec.Payload)
	if err != nil {
		return nil, fmt.Errorf("building http trigger %s: compiling payload: %w", t.Template.Name, err)
	}
	params, err := param.Compile(spec.Parameters)
	if err != nil {
		return nil, fmt.Errorf("building http trigger %s: compiling parameters: %w", t.Template.Name, err)
	}
	headers, err := param.Compile(spec.DynamicHeaders)
	if err != nil {
		return nil, fmt.Errorf("building http trigger %s: compiling dynamicHeaders: %w", t.Template.Name, err)
	}
	tr := &Trigger{
		name:    t.Template.Name,
		spec:    spec,
		payload: payload,
		params:  params,
		headers: headers,
		secrets: env.Secrets,
		timeout: defaultTimeout,
		base:    env.HTTP,
	}
	if sensor != nil {
		tr.namespace = sensor.Namespace
	}
	if spec.Timeout > 0 {
		tr.timeout = time.Duration(spec.Timeout) * time.Second
	}
	if t.Policy != nil && t.Policy.Status != nil && t.Policy.Status.Allow != nil {
		tr.allow = t.Policy.Status.GetAllow()
	}
	if tr.base == nil {
		tr.base = &http.Client{}
	}
	return tr, nil
}

func headerName(h *v1alpha1.SecureHeader) string {
	if h == nil {
		return ""
	}
	return h.Name
}

// Execute sends the request of one firing. The headers X-Herald-Event-Id
// and Idempotency-Key carry req.EventID so that a receiver can recognise a
// redelivery (a manifest header of the same name wins). The outcome:
//   - with policy.status.allow, an allowed status succeeds and any other
//     fails; without it, a status below 400 succeeds (Argo takes every
//     status as success there; Herald does not, so that a 500 is retried);
//   - a failing 5xx, 429 or 408, a connection error or a timeout is
//     transient; any other failing status, a payload or parameter that
//     cannot be built, or a request that cannot be made is terminal.
func (t *Trigger) Execute(ctx context.Context, req *trigger.Request) (trigger.Result, error) {
	spec, payload, dynamic, err := t.resolve(req)
	if err != nil {
		return trigger.Result{}, trigger.Terminal(fmt.Errorf("preparing http request: %w", err))
	}
	client, err := t.httpClient(ctx)
	if err != nil {
		return trigger.Result{}, err
	}
	method := spec.Method
	if method == "" {
		method = http.MethodPost
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, spec.URL, body)
	if err != nil {
		return trigger.Result{}, trigger.Terminal(fmt.Errorf("building http request %s %s: %w", method, spec.URL, err))
	}
	ref := method + " " + redact(hreq.URL)
	if req.EventID != "" {
		hreq.Header.Set(HeaderEventID, req.EventID)
		hreq.Header.Set(HeaderIdempotencyKey, req.EventID)
	}
	for name, value := range spec.Headers {
		hreq.Header[name] = []string{value}
	}
	for _, h := range dynamic {
		hreq.Header.Set(h.Dest, h.Text)
	}
	if spec.Host != "" {
		if !httpguts.ValidHostHeader(spec.Host) {
			return trigger.Result{Ref: ref}, trigger.Terminal(fmt.Errorf("building http request %s: host %q is not a Host header", ref, spec.Host))
		}
		hreq.Host = spec.Host
	}
	secrets, err := t.secretHeaders(ctx, spec, hreq)
	if err != nil {
		return trigger.Result{Ref: ref}, err
	}

	resp, err := client.Do(hreq)
	if err != nil {
		// Connection errors, timeouts and cancellations: try again later.
		return trigger.Result{Ref: ref}, fmt.Errorf("sending %s: %w", ref, err)
	}
	// A server may echo the request's credentials in its answer: they
	// never reach the error (and so the logs and traces).
	snippet := scrub(drain(resp), secrets)
	ref = fmt.Sprintf("%s → %d", ref, resp.StatusCode)
	if t.allowed(resp.StatusCode) {
		return trigger.Result{Ref: ref}, nil
	}
	err = fmt.Errorf("sending %s: status %d not allowed", ref, resp.StatusCode)
	if snippet != "" {
		err = fmt.Errorf("%w: %q", err, snippet)
	}
	if retryable(resp.StatusCode) {
		return trigger.Result{Ref: ref}, err
	}
	return trigger.Result{Ref: ref}, trigger.Terminal(err)
}

// resolve returns the request's http section with its own parameters
// applied, the body, and the dynamic headers.
func (t *Trigger) resolve(req *trigger.Request) (*v1alpha1.HTTPTrigger, []byte, []param.Field, error) {
	spec, payload, params, headers := t.spec, t.payload, t.params, t.headers
	if req.Trigger != nil && req.Trigger.Template != nil && req.Trigger.Template.HTTP != nil &&
		req.Trigger.Template.HTTP != t.spec {
		// Trigger-level parameters rewrote the template: compile its lists.
		spec = req.Trigger.Template.HTTP
		var err error
		if payload, err = param.CompilePayload(spec.Payload); err != nil {
			return nil, nil, nil, fmt.Errorf("compiling payload: %w", err)
		}
		if params, err = param.Compile(spec.Parameters); err != nil {
			return nil, nil, nil, fmt.Errorf("compiling parameters: %w", err)
		}
		if headers, err = param.Compile(spec.DynamicHeaders); err != nil {
			return nil, nil, nil, fmt.Errorf("compiling dynamicHeaders: %w", err)
		}
	}
	if params.Len() > 0 {
		withMethod := *spec
		if withMethod.Method == "" {
			withMethod.Method = http.MethodPost
		}
		var err error
		if spec, err = trigger.ApplyParams(&withMethod, params, req.Events, "http trigger"); err != nil {
			return nil, nil, nil, err
		}
	}
	var body []byte
	if payload.Len() > 0 {
		var err error
		if body, err = payload.Payload(req.Events); err != nil {
			return nil, nil, nil, fmt.Errorf("building payload: %w", err)
		}
	}
	var dynamic []param.Field
	if headers.Len() > 0 {
		var err error
		if dynamic, err = headers.Fields(req.Events); err != nil {
			return nil, nil, nil, fmt.Errorf("building dynamicHeaders: %w", err)
		}
		for _, h := range dynamic {
			if !httpguts.ValidHeaderFieldName(h.Dest) || !httpguts.ValidHeaderFieldValue(h.Text) {
				return nil, nil, nil, fmt.Errorf("building dynamicHeaders: %q cannot be sent: its name or value holds a character a header cannot (a line break, a control character)", h.Dest)
			}
		}
	}
	return spec, body, dynamic, nil
}

// secretHeaders sets the secure headers and basic auth, read from Secrets
// at each request (a rotated Secret is picked up), and returns the values
// it sent, as they appear on the wire, for scrub. Values are never logged.
func (t *Trigger) secretHeaders(ctx context.Context, spec *v1alpha1.HTTPTrigger, hreq *http.Request) ([]string, error) {
	var sent []string
	for _, h := range spec.SecureHeaders {
		if h == nil || h.ValueFrom == nil || h.ValueFrom.SecretKeyRef == nil {
			return nil, trigger.Terminal(fmt.Errorf("reading secure header %q: only secretKeyRef is supported", headerName(h)))
		}
		v, err := t.secrets.Read(ctx, t.namespace, h.ValueFrom.SecretKeyRef)
		if err != nil {
			return nil, fmt.Errorf("reading secure header %q: %w", h.Name, err)
		}
		hreq.Header[h.Name] = []string{string(v)}
		sent = append(sent, string(v))
	}
	if ba := spec.BasicAuth; ba != nil {
		var user, pass []byte
		var err error
		if ba.Username != nil {
			if user, err = t.secrets.Read(ctx, t.namespace, ba.Username); err != nil {
				return nil, fmt.Errorf("reading basic auth username: %w", err)
			}
		}
		if ba.Password != nil {
			if pass, err = t.secrets.Read(ctx, t.namespace, ba.Password); err != nil {
				return nil, fmt.Errorf("reading basic auth password: %w", err)
			}
		}
		hreq.SetBasicAuth(string(user), string(pass))
		sent = append(sent, string(pass), base64.StdEncoding.EncodeToString([]byte(string(user)+":"+string(pass))))
	}
	return sent, nil
}

// scrub replaces every secret value in s (a server's answer) with "***".
func scrub(s string, secrets []string) string {
	for _, v := range secrets {
		if len(v) >= minScrubbed {
			s = strings.ReplaceAll(s, v, "***")
		}
	}
	return s
}

// minScrubbed is the shortest secret value scrub replaces: shorter ones
// would blank out ordinary words of an answer and tell little anyway.
const minScrubbed = 4

// allowed reports whether status counts as success.
func (t *Trigger) allowed(status int) bool {
	if t.allow != nil {
		return slices.Contains(t.allow, status)
	}
	return status < http.StatusBadRequest
}

// retryable reports whether a failing status may pass on a later try.
func retryable(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout
}

// drain reads at most maxDrain bytes of the body, so that the connection
// can be reused, closes it, and returns the start of it for error messages.
func drain(resp *http.Response) string {
	defer resp.Body.Close()
	var head [maxSnippet]byte
	n, _ := io.ReadFull(resp.Body, head[:])
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	return strings.TrimSpace(string(head[:n]))
}

// redact writes u without its password or query (which may carry tokens).
func redact(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	c.ForceQuery = false
	return c.Redacted()
}
