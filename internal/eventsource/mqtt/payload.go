package mqtt

import (
	"encoding/json"
	"fmt"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// payload is an mqtt event's data, in Argo's shape.
type payload struct {
	Topic     string            `json:"topic"`
	MessageID int               `json:"messageId"`
	Body      any               `json:"body"`
	Metadata  map[string]string `json:"metadata,omitempty"`
}

// buildPayload turns a message into event data. With jsonBody the body must
// be a JSON document; without, it is written as base64, as Argo does.
func buildPayload(m paho.Message, cfg *v1alpha1.MQTTEventSource) ([]byte, error) {
	p := payload{Topic: m.Topic(), MessageID: int(m.MessageID()), Metadata: cfg.Metadata}
	body := m.Payload()
	if cfg.JSONBody {
		if !json.Valid(body) {
			return nil, fmt.Errorf("the message body is not JSON, and jsonBody is true (%d bytes)", len(body))
		}
		p.Body = json.RawMessage(body)
	} else {
		p.Body = body // []byte encodes as base64
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding the event data: %w", err)
	}
	return data, nil
}
