package nats

import (
	"context"
	"fmt"

	"github.com/herald-dev/herald/internal/trigger"
)

var _ trigger.Renderer = (*Trigger)(nil)

// Render returns the message Execute would publish for req: the subject,
// the server and the body. Nothing is sent, with or without opts.Server:
// NATS has no dry-run mode.
func (t *Trigger) Render(_ context.Context, req *trigger.Request, opts trigger.RenderOptions) (trigger.Rendered, error) {
	spec := t.spec
	if req.Trigger != nil && req.Trigger.Template != nil && req.Trigger.Template.NATS != nil {
		spec = req.Trigger.Template.NATS
	}
	out := trigger.Rendered{
		Parameters: append(trigger.ResolveParams("nats.parameters", spec.Parameters, req.Events),
			trigger.ResolveParams("nats.payload", spec.Payload, req.Events)...),
	}
	applied, body, err := t.resolve(req)
	if err != nil {
		return out, trigger.Terminal(fmt.Errorf("preparing nats message: %w", err))
	}
	out.Operation = "publish"
	out.Target = redactURLs(applied.URL) + " " + applied.Subject
	if req.EventID != "" {
		out.Headers = map[string]string{"Nats-Msg-Id": req.EventID}
	}
	out.SetBody(body)
	out.NoServerDryRun(opts, "nats", "published")
	return out, nil
}
