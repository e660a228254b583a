package mqtt

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
)

// secrets is a SecretReader over a map keyed by "name/key".
type secrets map[string]string

func (s secrets) read(_ context.Context, _ string, sel *corev1.SecretKeySelector) ([]byte, error) {
	v, ok := s[sel.Name+"/"+sel.Key]
	if !ok {
		return nil, errors.New("no such secret")
	}
	return []byte(v), nil
}

func secretKey(name, key string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
}

func testEnv(sec secrets) eventsource.Env {
	return eventsource.Env{Logger: slog.New(slog.DiscardHandler), Namespace: "argo-events", Secrets: sec.read}
}

func testSpec(name string, cfg *v1alpha1.MQTTEventSource) eventsource.Spec {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "devices", Namespace: "argo-events"}}
	return eventsource.Spec{EventSource: es, Name: name, Config: cfg}
}

// broker is an embedded mochi-mqtt broker on a random loopback port.
type broker struct {
	srv      *mochi.Server
	url      string
	sessions *sessions
}

// sessions is a broker hook counting the sessions each client established.
type sessions struct {
	mochi.HookBase
	mu     sync.Mutex
	count  map[string]int
	latest map[string]*mochi.Client
}

func (h *sessions) ID() string { return "sessions" }

func (h *sessions) Provides(b byte) bool { return b == mochi.OnSessionEstablished }

func (h *sessions) OnSessionEstablished(cl *mochi.Client, _ packets.Packet) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.count[cl.ID]++
	h.latest[cl.ID] = cl
}

// get returns how many sessions clientID established, and the last one.
func (h *sessions) get(clientID string) (int, *mochi.Client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.count[clientID], h.latest[clientID]
}

// startBroker starts a broker that lets everyone in, or only the users of
// rules when given.
func startBroker(t *testing.T, rules auth.AuthRules) *broker {
	t.Helper()
	srv := mochi.New(&mochi.Options{InlineClient: true, Logger: slog.New(slog.DiscardHandler)})
	if rules == nil {
		require.NoError(t, srv.AddHook(new(auth.AllowHook), nil))
	} else {
		require.NoError(t, srv.AddHook(new(auth.Hook), &auth.Options{Ledger: &auth.Ledger{Auth: rules}}))
	}
	h := &sessions{count: map[string]int{}, latest: map[string]*mochi.Client{}}
	require.NoError(t, srv.AddHook(h, nil))
	tcp := listeners.NewTCP(listeners.Config{ID: "tcp", Address: "127.0.0.1:0"})
	require.NoError(t, srv.AddListener(tcp))
	require.NoError(t, srv.Serve())
	t.Cleanup(func() { _ = srv.Close() })
	return &broker{srv: srv, url: "tcp://" + tcp.Address(), sessions: h}
}

// waitSubscribed waits until clientID is connected and subscribed to
// filter, in its n-th session (or a later one). Mochi can lose a message
// published while it hands a persistent session over to a new connection
// of the same client, so tests wait for the new connection.
func (b *broker) waitSubscribed(t *testing.T, clientID, filter string, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		count, cl := b.sessions.get(clientID)
		if count < n || cl == nil || cl.Closed() {
			return false
		}
		_, ok := cl.State.Subscriptions.Get(filter)
		return ok
	}, 10*time.Second, 10*time.Millisecond, "%s never subscribed to %s in session %d", clientID, filter, n)
}

// publish sends a QoS 1 message through the broker's inline client.
func (b *broker) publish(t *testing.T, topic, payload string) {
	t.Helper()
	require.NoError(t, b.srv.Publish(topic, []byte(payload), false, 1))
}

// inflight counts the messages the broker sent clientID and is waiting
// for it to acknowledge (or keeps for it while it is away).
func (b *broker) inflight(clientID string) int {
	cl, ok := b.srv.Clients.Get(clientID)
	if !ok {
		return -1
	}
	return cl.State.Inflight.Len()
}
