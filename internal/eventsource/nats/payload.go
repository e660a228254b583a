package nats

import (
	"encoding/json"
	"fmt"

	natsgo "github.com/nats-io/nats.go"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// payload is a nats event's data, in Argo's shape.
type payload struct {
	Subject  string              `json:"subject"`
	Body     any                 `json:"body"`
	Header   map[string][]string `json:"header,omitempty"`
	Metadata map[string]string   `json:"metadata,omitempty"`
}

// buildPayload turns a message into event data. With jsonBody the body must
// be a JSON document; without, it is written as base64, as Argo does.
func buildPayload(m *natsgo.Msg, cfg *v1alpha1.NATSEventsSource) ([]byte, error) {
	p := payload{Subject: m.Subject, Metadata: cfg.Metadata}
	if len(m.Header) > 0 {
		p.Header = m.Header
	}
	if cfg.JSONBody {
		if !json.Valid(m.Data) {
			return nil, fmt.Errorf("the message body is not JSON, and jsonBody is true (%d bytes)", len(m.Data))
		}
		p.Body = json.RawMessage(m.Data)
	} else {
		p.Body = m.Data // []byte encodes as base64
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding the event data: %w", err)
	}
	return data, nil
}
