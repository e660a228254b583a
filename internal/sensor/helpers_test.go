package sensor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/trigger"
)

// testLogger logs to the test output when -v is given.
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", t.Name())
}

// call is one Execute seen by the recording trigger kind.
type call struct {
	Trigger string
	EventID string
	Events  map[string]*event.Event
	Spec    *v1alpha1.Trigger
}

// recorder is a trigger kind that records every Execute; behave, keyed by
// trigger name, decides the outcome of the nth call (from 1) of a trigger.
type recorder struct {
	mu     sync.Mutex
	calls  []call
	counts map[string]int
	behave map[string]func(n int, req *trigger.Request) error
}

func newRecorder() *recorder {
	return &recorder{counts: map[string]int{}, behave: map[string]func(int, *trigger.Request) error{}}
}

// on sets the behaviour of trigger name.
func (r *recorder) on(name string, f func(n int, req *trigger.Request) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.behave[name] = f
}

// kind is the recording kind under name (a template field such as "log").
func (r *recorder) kind(name string) trigger.Kind {
	return trigger.Kind{Name: name, Doc: "records its firings", New: func(_ trigger.Env, _ *v1alpha1.Sensor, t *v1alpha1.Trigger) (trigger.Trigger, error) {
		return &recTrigger{r: r, name: t.Template.Name}, nil
	}}
}

func (r *recorder) registry() *trigger.Registry {
	return trigger.NewRegistry(r.kind("log"), r.kind("http"), r.kind("k8s"))
}

// of returns the calls of trigger name.
func (r *recorder) of(name string) []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call
	for _, c := range r.calls {
		if c.Trigger == name {
			out = append(out, c)
		}
	}
	return out
}

// ids returns the event ids of the calls of trigger name.
func (r *recorder) ids(name string) []string {
	var ids []string
	for _, c := range r.of(name) {
		ids = append(ids, c.EventID)
	}
	return ids
}

type recTrigger struct {
	r    *recorder
	name string
}

var _ trigger.Trigger = (*recTrigger)(nil)

func (t *recTrigger) Execute(ctx context.Context, req *trigger.Request) (trigger.Result, error) {
	t.r.mu.Lock()
	t.r.counts[t.name]++
	n := t.r.counts[t.name]
	t.r.calls = append(t.r.calls, call{Trigger: t.name, EventID: req.EventID, Events: req.Events, Spec: req.Trigger})
	f := t.r.behave[t.name]
	t.r.mu.Unlock()
	if f != nil {
		if err := f(n, req); err != nil {
			return trigger.Result{}, err
		}
	}
	return trigger.Result{Ref: "recorded " + req.EventID}, ctx.Err()
}

// fate records how each delivered message was settled.
type fate struct {
	mu    sync.Mutex
	acked map[string]int
	naked map[string]int
}

// settled wraps a Subscriber to record Ack and Nak calls on the real
// messages it delivers.
type settled struct {
	eventbus.Subscriber
	f *fate
}

func (s settled) Subscribe(ctx context.Context, sub eventbus.Subscription, h eventbus.Handler) error {
	return s.Subscriber.Subscribe(ctx, sub, func(ctx context.Context, m eventbus.Message) {
		h(ctx, fatedMessage{Message: m, f: s.f})
	})
}

type fatedMessage struct {
	eventbus.Message
	f *fate
}

func (m fatedMessage) Ack(ctx context.Context) error {
	err := m.Message.Ack(ctx)
	m.f.mu.Lock()
	m.f.acked[m.Event().ID]++
	m.f.mu.Unlock()
	return err
}

func (m fatedMessage) Nak(d time.Duration) error {
	m.f.mu.Lock()
	m.f.naked[m.Event().ID]++
	m.f.mu.Unlock()
	return m.Message.Nak(d)
}

func (f *fate) acks(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.acked[id]
}

func (f *fate) naks(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.naked[id]
}

// harness is a real embedded JetStream, its KV state and a recorder.
type harness struct {
	bus   *jetstream.Bus
	state State
	rec   *recorder
	fate  *fate
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	srv, err := jetstream.StartEmbedded(t.Context(), jetstream.EmbeddedOptions{DataDir: t.TempDir(), Logger: testLogger(t)})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Shutdown(context.Background())) })
	// One handler goroutine: the Sensor's handler only queues, and the
	// stream's order reaches the dispatcher unchanged.
	b, err := jetstream.Connect(t.Context(), jetstream.Options{InProcess: srv, Logger: testLogger(t), DeliverAll: true, HandlerWorkers: 1})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close(context.Background())) })
	kv, err := b.KeyValue(t.Context(), "sensor-state")
	require.NoError(t, err)
	return &harness{bus: b, state: NewKVState(kv), rec: newRecorder(), fate: &fate{acked: map[string]int{}, naked: map[string]int{}}}
}

// config is the Config of s on the harness.
func (h *harness) config(t *testing.T, s *v1alpha1.Sensor) Config {
	return Config{
		Sensor:     s,
		Bus:        settled{Subscriber: h.bus, f: h.fate},
		Registry:   h.rec.registry(),
		State:      h.state,
		Logger:     testLogger(t),
		Workers:    4,
		Redelivery: func(uint64) time.Duration { return 10 * time.Millisecond },
	}
}

// start runs cfg until the returned stop is called (or the test ends) and
// checks that Run returned nil.
func start(t *testing.T, cfg Config) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, cfg) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			require.NoError(t, <-errc)
		})
	}
	t.Cleanup(stop)
	return stop
}

// publish publishes an event of es/name with data.
func (h *harness) publish(t *testing.T, es, name, id, data string) {
	t.Helper()
	_, err := h.bus.Publish(t.Context(), &event.Event{
		ID: id, Source: es, Subject: name, Type: "webhook", Time: time.Now(),
		DataContentType: event.ContentTypeJSON, Data: []byte(data),
	})
	require.NoError(t, err)
}

// sensorYAML decodes a Sensor manifest.
func sensorYAML(t testing.TB, doc string) *v1alpha1.Sensor {
	t.Helper()
	s := new(v1alpha1.Sensor)
	require.NoError(t, yaml.UnmarshalStrict([]byte(doc), s))
	return s
}

// eventually polls cond for up to 20 seconds.
func eventually(t *testing.T, cond func() bool, msg string, args ...any) {
	t.Helper()
	require.Eventually(t, cond, 20*time.Second, 5*time.Millisecond, fmt.Sprintf(msg, args...))
}

var errTransient = errors.New("sink unavailable")
