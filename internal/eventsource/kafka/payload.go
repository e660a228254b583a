package kafka

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
)

// payload is a kafka event's data, in Argo's shape.
type payload struct {
	Topic     string            `json:"topic"`
	Key       string            `json:"key"`
	Partition int               `json:"partition"`
	Body      any               `json:"body"`
	Timestamp string            `json:"timestamp"`
	Headers   map[string]string `json:"headers"`
	Metadata  map[string]string `json:"metadata,omitempty"`
}

// errNotJSON is the rejection of a value that is not JSON with jsonBody.
var errNotJSON = errors.New("the record's value is not JSON but jsonBody is set")

// buildPayload turns a record into event data: the value embedded as JSON
// with jsonBody, else as bytes (base64 in JSON, as in Argo); the timestamp
// as Go's time.Time.String writes it, as in Argo.
func buildPayload(r *kgo.Record, jsonBody bool, metadata map[string]string) ([]byte, error) {
	p := payload{
		Topic:     r.Topic,
		Key:       string(r.Key),
		Partition: int(r.Partition),
		Timestamp: r.Timestamp.String(),
		Headers:   make(map[string]string, len(r.Headers)),
		Metadata:  metadata,
	}
	for _, h := range r.Headers {
		p.Headers[h.Key] = string(h.Value)
	}
	if jsonBody {
		if !json.Valid(r.Value) {
			return nil, errNotJSON
		}
		p.Body = json.RawMessage(r.Value)
	} else {
		p.Body = r.Value
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding the event data: %w", err)
	}
	return data, nil
}
