package amqp

import (
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"
)

func TestBuildPayload(t *testing.T) {
	full := amqp.Delivery{
		ContentType: "application/json", DeliveryMode: 2, MessageId: "m", Exchange: "ex", RoutingKey: "rk",
		Timestamp: time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600)), Body: []byte(`{"a":1}`),
	}
	const props = `"contentType":"application/json","contentEncoding":"","deliveryMode":2,"priority":0,"correlationId":"",` +
		`"replyTo":"","expiration":"","messageId":"m","timestamp":"2024-01-02 02:04:05 +0000 UTC","type":"","appId":"",` +
		`"exchange":"ex","routingKey":"rk"`
	tests := []struct {
		name     string
		d        amqp.Delivery
		jsonBody bool
		metadata map[string]string
		want     string
		err      error
	}{
		{
			name: "json body", d: full, jsonBody: true, metadata: map[string]string{"k": "v"},
			want: `{` + props + `,"body":{"a":1},"metadata":{"k":"v"}}`,
		},
		{name: "body as base64", d: full, want: `{` + props + `,"body":"eyJhIjoxfQ=="}`},
		{
			name: "no timestamp, no body", d: amqp.Delivery{},
			want: `{"contentType":"","contentEncoding":"","deliveryMode":0,"priority":0,"correlationId":"","replyTo":"",` +
				`"expiration":"","messageId":"","timestamp":"0001-01-01 00:00:00 +0000 UTC","type":"","appId":"","exchange":"",` +
				`"routingKey":"","body":null}`,
		},
		{name: "not JSON with jsonBody", d: amqp.Delivery{Body: []byte("nope")}, jsonBody: true, err: ErrNotJSON},
		{name: "empty body with jsonBody", d: amqp.Delivery{}, jsonBody: true, err: ErrNotJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := buildPayload(&tt.d, tt.jsonBody, tt.metadata)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, string(got))
		})
	}
}
