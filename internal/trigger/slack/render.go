package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/herald-dev/herald/internal/trigger"
)

var _ trigger.Renderer = (*slackTrigger)(nil)

// Render returns the request Execute would send for req, with the token
// replaced by trigger.Masked (the Secret is not read). Nothing is sent, with
// or without opts.Server: Slack has no dry-run mode.
func (t *slackTrigger) Render(_ context.Context, req *trigger.Request, opts trigger.RenderOptions) (trigger.Rendered, error) {
	spec := t.spec
	if req.Trigger != nil && req.Trigger.Template != nil && req.Trigger.Template.Slack != nil {
		spec = req.Trigger.Template.Slack
	}
	out := trigger.Rendered{
		Operation:  http.MethodPost,
		Target:     t.url,
		Parameters: trigger.ResolveParams("slack.parameters", spec.Parameters, req.Events),
		Headers: map[string]string{
			"Authorization": "Bearer " + trigger.Masked,
			"Content-Type":  "application/json; charset=utf-8",
		},
	}
	spec, msg, err := t.prepare(req)
	if err != nil {
		return out, trigger.Terminal(fmt.Errorf("preparing the slack message: %w", err))
	}
	if spec.Thread.MessageAggregationKey != "" {
		out.Notes = append(out.Notes, "thread_ts is set when a message of this aggregation key was posted before")
	}
	if out.Object, err = json.Marshal(msg); err != nil {
		return out, fmt.Errorf("encoding the slack message: %w", err)
	}
	out.NoServerDryRun(opts, "slack", "sent")
	return out, nil
}
