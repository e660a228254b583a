package amqp

import (
	"encoding/json"
	"errors"
	"fmt"

	amqp "github.com/rabbitmq/amqp091-go"
)

// ErrNotJSON is returned for a message whose body is not JSON while the
// event sets jsonBody.
var ErrNotJSON = errors.New("message body is not JSON but jsonBody is set")

// payload is the event data of a message, in Argo's shape.
type payload struct {
	ContentType     string            `json:"contentType"`
	ContentEncoding string            `json:"contentEncoding"`
	DeliveryMode    int               `json:"deliveryMode"`
	Priority        int               `json:"priority"`
	CorrelationID   string            `json:"correlationId"`
	ReplyTo         string            `json:"replyTo"`
	Expiration      string            `json:"expiration"`
	MessageID       string            `json:"messageId"`
	Timestamp       string            `json:"timestamp"`
	Type            string            `json:"type"`
	AppID           string            `json:"appId"`
	Exchange        string            `json:"exchange"`
	RoutingKey      string            `json:"routingKey"`
	Body            any               `json:"body"`
	Metadata        map[string]string `json:"metadata,omitempty"`
}

// buildPayload turns a delivery into event data. With jsonBody the body is
// embedded as JSON (ErrNotJSON when it is not); without it, the body is a
// base64 string, as Argo writes a byte slice. The timestamp is written as
// Go's time.Time.String formats it, in UTC ("0001-01-01 00:00:00 +0000
// UTC" when the publisher set none).
func buildPayload(d *amqp.Delivery, jsonBody bool, metadata map[string]string) ([]byte, error) {
	p := payload{
		ContentType:     d.ContentType,
		ContentEncoding: d.ContentEncoding,
		DeliveryMode:    int(d.DeliveryMode),
		Priority:        int(d.Priority),
		CorrelationID:   d.CorrelationId,
		ReplyTo:         d.ReplyTo,
		Expiration:      d.Expiration,
		MessageID:       d.MessageId,
		Timestamp:       d.Timestamp.UTC().String(),
		Type:            d.Type,
		AppID:           d.AppId,
		Exchange:        d.Exchange,
		RoutingKey:      d.RoutingKey,
		Body:            d.Body,
		Metadata:        metadata,
	}
	if jsonBody {
		if !json.Valid(d.Body) {
			return nil, ErrNotJSON
		}
		p.Body = json.RawMessage(d.Body)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding the event data: %w", err)
	}
	return data, nil
}
