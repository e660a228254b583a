package kafka

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

func TestConformance(t *testing.T) {
	c := startCluster(t)
	produceTo := func(topic string) sourcetest.Trigger {
		return func(t *testing.T) error {
			// A producer of its own, closed at once: the leak check sees
			// no connection of it.
			prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.AllowAutoTopicCreation())
			require.NoError(t, err)
			defer prod.Close()
			produce(t, prod, &kgo.Record{Topic: topic, Key: []byte("k"), Value: []byte(`{"hello":"world"}`)})
			return nil
		}
	}

	t.Run("consumer group", func(t *testing.T) {
		cfg := groupConfig(c, "conformance-group", "herald")
		env := testEnv(nil, nil)
		spec := testSpec(cfg)
		sourcetest.Run(t, sourcetest.Harness{
			Kind: KindName, Spec: spec, Retries: true,
			New: func(t *testing.T) (eventsource.Source, sourcetest.Trigger) {
				src, err := New(env, spec, fastClient)
				require.NoError(t, err)
				return src, produceTo(cfg.Topic)
			},
		})
	})

	t.Run("partition", func(t *testing.T) {
		cfg := &v1alpha1.KafkaEventSource{URL: brokers(c), Topic: "conformance-partition", Partition: "0", Metadata: map[string]string{"k": "v"}}
		produce(t, producer(t, c), &kgo.Record{Topic: cfg.Topic, Value: []byte("before")}) // creates the topic
		state := &eventsource.MemoryState{}
		env := testEnv(state, nil)
		spec := testSpec(cfg)
		key := StateKey(spec, cfg.Topic, 0)
		sourcetest.Run(t, sourcetest.Harness{
			Kind: KindName, Spec: spec, Retries: true,
			New: func(t *testing.T) (eventsource.Source, sourcetest.Trigger) {
				src, err := New(env, spec, fastClient)
				require.NoError(t, err)
				return src, func(t *testing.T) error {
					// The first start reads from the partition's end: wait
					// until it knows where that is.
					require.Eventually(t, func() bool {
						v, _ := state.Load(t.Context(), key)
						return v != nil
					}, wait, 10*time.Millisecond)
					return produceTo(cfg.Topic)(t)
				}
			},
		})
	})
}

func TestKindRegistered(t *testing.T) {
	k, ok := eventsource.Default.Lookup(KindName)
	require.True(t, ok)
	require.NotEmpty(t, k.Doc)
	spec := &v1alpha1.EventSourceSpec{}
	require.Nil(t, k.Configs(spec))
	spec.Kafka = map[string]v1alpha1.KafkaEventSource{"a": {Topic: "x"}}
	require.Equal(t, "x", k.Configs(spec)["a"].(*v1alpha1.KafkaEventSource).Topic)
}
