package sensor

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/event"
)

func TestOrderKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   event.Event
		want string
	}{
		{"resource event", event.Event{ID: "e1", Source: "es", Subject: "svc", Data: []byte(`{"type":"ADD","body":{"metadata":{"namespace":"ns","name":"web"}}}`)}, "obj\x00ns/web"},
		{"cluster-scoped object", event.Event{ID: "e1", Source: "es", Subject: "ns", Data: []byte(`{"body":{"metadata":{"name":"team-a"}}}`)}, "obj\x00/team-a"},
		{"other JSON", event.Event{ID: "e1", Source: "es", Subject: "hook", Data: []byte(`{"body":{"x":1}}`)}, "evt\x00e1"},
		{"name not a string", event.Event{ID: "e1", Source: "es", Subject: "hook", Data: []byte(`{"body":{"metadata":{"name":3}}}`)}, "evt\x00e1"},
		{"binary data", event.Event{ID: "e1", Source: "es", Subject: "raw", DataContentType: "application/octet-stream", Data: []byte(`{"body":{"metadata":{"name":"x"}}}`)}, "evt\x00e1"},
		{"no data", event.Event{ID: "e1", Source: "es", Subject: "tick"}, "evt\x00e1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, orderKey(&tc.ev))
		})
	}
}

func TestDefaultRedelivery(t *testing.T) {
	require.Equal(t, "1s", defaultRedelivery(1).String())
	require.Equal(t, "2s", defaultRedelivery(2).String())
	require.Equal(t, "32s", defaultRedelivery(6).String())
	require.Equal(t, "1m0s", defaultRedelivery(7).String())
	require.Equal(t, "1m0s", defaultRedelivery(1000).String())
}
