package kafka

import (
	"context"
	"fmt"

	"github.com/herald-dev/herald/internal/trigger"
)

var _ trigger.Renderer = (*Trigger)(nil)

// Render returns the record Execute would publish for req: topic, key,
// headers (secure ones masked) and value. Nothing is sent: Kafka has no
// dry-run mode.
func (t *Trigger) Render(_ context.Context, req *trigger.Request, opts trigger.RenderOptions) (trigger.Rendered, error) {
	spec := t.spec
	if req.Trigger != nil && req.Trigger.Template != nil && req.Trigger.Template.Kafka != nil {
		spec = req.Trigger.Template.Kafka
	}
	out := trigger.Rendered{
		Operation: "produce",
		Parameters: append(trigger.ResolveParams("kafka.parameters", spec.Parameters, req.Events),
			trigger.ResolveParams("kafka.payload", spec.Payload, req.Events)...),
	}
	applied, value, err := t.resolve(req)
	if err != nil {
		return out, trigger.Terminal(fmt.Errorf("preparing kafka record: %w", err))
	}
	out.Target = "kafka://" + trimmed(applied.URL) + "/" + applied.Topic
	out.Headers = map[string]string{}
	if req.EventID != "" {
		out.Headers[HeaderEventID] = req.EventID
	}
	for name, v := range applied.Headers {
		out.Headers[name] = v
	}
	out.MaskHeaders(applied.SecureHeaders)
	if applied.PartitioningKey != nil {
		out.Notes = append(out.Notes, "record key: "+*applied.PartitioningKey)
	}
	out.SetBody(value)
	out.NoServerDryRun(opts, "kafka", "sent")
	return out, nil
}
