package http

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/herald-dev/herald/internal/trigger"
)

var _ trigger.Renderer = (*Trigger)(nil)

// Render returns the request Execute would send for req: method, URL,
// headers and body, with the values of secure headers and basic auth
// replaced by trigger.Masked (Secrets are not read). Nothing is sent, with
// or without opts.Server: HTTP has no dry-run mode.
func (t *Trigger) Render(_ context.Context, req *trigger.Request, opts trigger.RenderOptions) (trigger.Rendered, error) {
	spec := t.spec
	if req.Trigger != nil && req.Trigger.Template != nil && req.Trigger.Template.HTTP != nil {
		spec = req.Trigger.Template.HTTP
	}
	out := trigger.Rendered{
		Parameters: slices.Concat(trigger.ResolveParams("http.parameters", spec.Parameters, req.Events),
			trigger.ResolveParams("http.payload", spec.Payload, req.Events),
			trigger.ResolveParams("http.dynamicHeaders", spec.DynamicHeaders, req.Events)),
	}
	applied, body, dynamic, err := t.resolve(req)
	if err != nil {
		return out, trigger.Terminal(fmt.Errorf("preparing http request: %w", err))
	}
	out.Operation = applied.Method
	if out.Operation == "" {
		out.Operation = http.MethodPost
	}
	out.Target = applied.URL
	out.Headers = map[string]string{}
	if req.EventID != "" {
		out.Headers[HeaderEventID] = req.EventID
		out.Headers[HeaderIdempotencyKey] = req.EventID
	}
	for name, value := range applied.Headers {
		out.Headers[name] = value
	}
	for _, h := range dynamic {
		out.Headers[http.CanonicalHeaderKey(h.Dest)] = h.Text
	}
	if applied.Host != "" {
		out.Headers["Host"] = applied.Host
	}
	out.MaskHeaders(applied.SecureHeaders)
	if applied.BasicAuth != nil {
		out.Headers["Authorization"] = "Basic " + trigger.Masked
	}
	out.SetBody(body)
	out.NoServerDryRun(opts, "http", "sent")
	return out, nil
}
