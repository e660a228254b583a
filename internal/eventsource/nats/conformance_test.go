package nats

import (
	"testing"

	natsgo "github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

func TestConformance(t *testing.T) {
	srv := startNATS(t)
	pub := dial(t, srv.URL)
	queue := "workers"
	for name, cfg := range map[string]*v1alpha1.NATSEventsSource{
		"plain":              {URL: srv.URL, Subject: "conformance.plain"},
		"json body in queue": {URL: srv.URL, Subject: "conformance.queue", JSONBody: true, Queue: &queue, Metadata: map[string]string{"k": "v"}},
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
					return src, func(t *testing.T) error {
						return request(t, pub, cfg.Subject, &natsgo.Msg{Data: []byte(`{"hello":"world"}`)})
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
	es.Spec.NATS = map[string]v1alpha1.NATSEventsSource{"one": {Subject: "a"}, "two": {Subject: "b"}}
	configs := k.Configs(&es.Spec)
	require.Len(t, configs, 2)
	require.Equal(t, "b", configs["two"].(*v1alpha1.NATSEventsSource).Subject)
}
