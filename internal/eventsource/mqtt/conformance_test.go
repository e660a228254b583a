package mqtt

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

func TestConformance(t *testing.T) {
	b := startBroker(t, nil)
	for name, cfg := range map[string]*v1alpha1.MQTTEventSource{
		"raw body":  {URL: b.url, Topic: "conformance/herald-raw", ClientID: "herald-raw"},
		"json body": {URL: b.url, Topic: "conformance/+", ClientID: "herald-json", JSONBody: true, Metadata: map[string]string{"k": "v"}},
	} {
		t.Run(name, func(t *testing.T) {
			spec := testSpec("example", cfg)
			sourcetest.Run(t, sourcetest.Harness{
				Kind:    KindName,
				Spec:    spec,
				Retries: true,
				New: func(t *testing.T) (eventsource.Source, sourcetest.Trigger) {
					src, err := New(testEnv(nil), spec)
					require.NoError(t, err)
					before, _ := b.sessions.get(cfg.ClientID)
					return src, func(t *testing.T) error {
						b.waitSubscribed(t, cfg.ClientID, cfg.Topic, before+1)
						b.publish(t, "conformance/"+cfg.ClientID, `{"hello":"world"}`)
						return nil
					}
				},
			})
		})
	}
}

func TestKindRegistered(t *testing.T) {
	k, ok := eventsource.Default.Lookup(KindName)
	require.True(t, ok)
	require.NotEmpty(t, k.Doc)
	es := testSpec("x", nil).EventSource
	require.Nil(t, k.Configs(&es.Spec))
	es.Spec.MQTT = map[string]v1alpha1.MQTTEventSource{"one": {Topic: "a"}, "two": {Topic: "b"}}
	configs := k.Configs(&es.Spec)
	require.Len(t, configs, 2)
	require.Equal(t, "b", configs["two"].(*v1alpha1.MQTTEventSource).Topic)
}
