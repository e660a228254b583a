package kafka

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

// wait bounds how long a test waits for a source.
const wait = 20 * time.Second

// startCluster starts an in-process Kafka cluster of one broker holding
// topics (one partition each), stopped when the test ends.
func startCluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(1)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// brokers is the url field of a source reading c.
func brokers(c *kfake.Cluster) string { return strings.Join(c.ListenAddrs(), ",") }

// producer returns a client producing to c, closed when the test ends.
func producer(t *testing.T, c *kfake.Cluster, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...), kgo.AllowAutoTopicCreation()}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(cl.Close)
	return cl
}

// produce writes one record and waits for the broker's acknowledgement.
func produce(t *testing.T, cl *kgo.Client, r *kgo.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, cl.ProduceSync(ctx, r).FirstErr())
}

func testEnv(state eventsource.StateStore, secrets map[string]string) eventsource.Env {
	return eventsource.Env{
		Logger:    slog.New(slog.DiscardHandler),
		Namespace: "argo-events",
		State:     state,
		Secrets: func(_ context.Context, _ string, sel *corev1.SecretKeySelector) ([]byte, error) {
			v, ok := secrets[sel.Name+"/"+sel.Key]
			if !ok {
				return nil, errNoSecret
			}
			return []byte(v), nil
		},
	}
}

var errNoSecret = eventsource.ErrNoCluster

func testSpec(cfg *v1alpha1.KafkaEventSource) eventsource.Spec {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "kafka-es", Namespace: "argo-events"}}
	return eventsource.Spec{EventSource: es, Name: "orders", Config: cfg}
}

// groupConfig reads topic through group from the oldest record.
func groupConfig(c *kfake.Cluster, topic, group string) *v1alpha1.KafkaEventSource {
	return &v1alpha1.KafkaEventSource{
		URL: brokers(c), Topic: topic, JSONBody: true,
		ConsumerGroup: &v1alpha1.KafkaConsumerGroup{GroupName: group, Oldest: true},
	}
}

// fastClient shortens the client's waits so tests do not linger.
var fastClient = WithClientOptions(kgo.FetchMaxWait(200*time.Millisecond), kgo.RetryBackoffFn(func(int) time.Duration { return 50 * time.Millisecond }))

// start builds the source of cfg and runs it in the background, recording
// its events, until the test ends or Stop is called.
func start(t *testing.T, env eventsource.Env, cfg *v1alpha1.KafkaEventSource) *sourcetest.Running {
	t.Helper()
	src, err := New(env, testSpec(cfg), fastClient)
	require.NoError(t, err)
	return sourcetest.Record(t, src)
}
