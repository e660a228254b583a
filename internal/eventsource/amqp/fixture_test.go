package amqp

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/testenv"
)

// broker is the RabbitMQ every test of the package shares.
var broker *testenv.RabbitMQ

func TestMain(m *testing.M) {
	var err error
	broker, err = testenv.StartRabbitMQ()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	broker.Stop()
	os.Exit(code)
}

// names counts the exchanges and queues tests create, for unique names.
var names atomic.Int64

// uniqueName returns a name no other test uses.
func uniqueName(t *testing.T, what string) string {
	return fmt.Sprintf("%s-%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), what, names.Add(1))
}

// testSecrets reads Secret keys from a map of "name/key" to value.
func testSecrets(m map[string]string) eventsource.SecretReader {
	return func(_ context.Context, _ string, sel *corev1.SecretKeySelector) ([]byte, error) {
		v, ok := m[sel.Name+"/"+sel.Key]
		if !ok {
			return nil, fmt.Errorf("no key %s in secret %s", sel.Key, sel.Name)
		}
		return []byte(v), nil
	}
}

func testEnv() eventsource.Env {
	return eventsource.Env{Logger: slog.New(slog.DiscardHandler), Namespace: "argo-events"}
}

func testSpec(cfg *v1alpha1.AMQPEventSource) eventsource.Spec {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "rabbit", Namespace: "argo-events"}}
	return eventsource.Spec{EventSource: es, Name: "orders", Config: cfg}
}

// directConfig is an event on a new direct exchange with routing key "k".
func directConfig(t *testing.T) *v1alpha1.AMQPEventSource {
	return &v1alpha1.AMQPEventSource{
		URL: broker.URL, ExchangeName: uniqueName(t, "ex"), ExchangeType: "direct", RoutingKey: "k",
		ConnectionBackoff: &v1alpha1.Backoff{Steps: 1},
	}
}

// durableQueue declares a named durable queue, kept while the source is
// stopped, and deletes it when the test ends.
func durableQueue(t *testing.T, cfg *v1alpha1.AMQPEventSource) string {
	name := uniqueName(t, "q")
	cfg.QueueDeclare = &v1alpha1.AMQPQueueDeclareConfig{Name: name, Durable: true}
	t.Cleanup(func() {
		p := newPublisher(t)
		_, _ = p.ch.QueueDelete(name, false, false, false)
	})
	return name
}

// publisher publishes test messages with publisher confirms.
type publisher struct {
	conn    *amqp.Connection
	ch      *amqp.Channel
	returns chan amqp.Return
	mu      sync.Mutex
}

func newPublisher(t *testing.T) *publisher {
	t.Helper()
	conn, err := amqp.Dial(broker.URL)
	require.NoError(t, err)
	ch, err := conn.Channel()
	require.NoError(t, err)
	require.NoError(t, ch.Confirm(false))
	p := &publisher{conn: conn, ch: ch, returns: ch.NotifyReturn(make(chan amqp.Return, 16))}
	t.Cleanup(func() { _ = conn.Close() })
	return p
}

// tryPublish publishes msg as mandatory and reports whether the broker
// routed it to a queue (false: it came back, no queue is bound yet).
func (p *publisher) tryPublish(t *testing.T, exchange, key string, msg amqp.Publishing) bool {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.ch.PublishWithDeferredConfirmWithContext(t.Context(), exchange, key, true, false, msg)
	require.NoError(t, err)
	ok, err := c.WaitContext(t.Context())
	require.NoError(t, err)
	require.True(t, ok, "the broker refused the message")
	// A return comes before the confirmation.
	select {
	case <-p.returns:
		return false
	default:
		return true
	}
}

// publish publishes msg once a queue is bound to take it (the exchange
// must exist: the source declares it).
func (p *publisher) publish(t *testing.T, exchange, key string, msg amqp.Publishing) {
	t.Helper()
	require.Eventually(t, func() bool {
		if !p.exchangeExists(exchange) {
			return false
		}
		return p.tryPublish(t, exchange, key, msg)
	}, 20*time.Second, 20*time.Millisecond, "no queue took the message")
}

// exchangeExists checks an exchange on a throw-away channel (a failed
// passive declaration closes the channel).
func (p *publisher) exchangeExists(name string) bool {
	ch, err := p.conn.Channel()
	if err != nil {
		return false
	}
	defer ch.Close()
	return ch.ExchangeDeclarePassive(name, "direct", false, false, false, false, nil) == nil
}

var errUnavailable = fmt.Errorf("bus down: %w", eventbus.ErrUnavailable)

// start builds the source of cfg and runs it in the background until the
// test ends or Stop is called, recording its events as the runner passes
// them on: in their envelope (type, source, subject), which the amqp source
// leaves to the runner.
func start(t *testing.T, env eventsource.Env, cfg *v1alpha1.AMQPEventSource) *sourcetest.Running {
	t.Helper()
	spec := testSpec(cfg)
	src, err := New(env, spec)
	require.NoError(t, err)
	rec := &sourcetest.Recorder{}
	emit := eventsource.WithEnvelope(spec, KindName, rec.Emit)
	return &sourcetest.Running{Recorder: rec, Source: src, Stop: sourcetest.Background(t, src, emit)}
}

// failure runs the source of cfg until Start returns on its own, and
// returns Start's error.
func failure(t *testing.T, env eventsource.Env, cfg *v1alpha1.AMQPEventSource) error {
	t.Helper()
	src, err := New(env, testSpec(cfg))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	err = src.Start(ctx, new(sourcetest.Recorder).Emit)
	require.NoError(t, ctx.Err(), "the amqp source did not stop on its own")
	return err
}
