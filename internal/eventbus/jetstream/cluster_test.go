package jetstream

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
)

// clusterNode is one server of a test cluster, with what it needs to be
// started again.
type clusterNode struct {
	opts EmbeddedOptions
	srv  *Embedded
}

// startCluster starts n embedded servers on loopback forming one cluster,
// each with its own data folder; they are stopped at cleanup.
func startCluster(t testing.TB, n int) []*clusterNode {
	t.Helper()
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i] = freeAddr(t)
	}
	dir := t.TempDir()
	nodes := make([]*clusterNode, n)
	for i := range nodes {
		nodes[i] = &clusterNode{opts: EmbeddedOptions{
			DataDir:    filepath.Join(dir, fmt.Sprint(i)),
			ServerName: fmt.Sprintf("herald-%d", i),
			Logger:     testLogger(t),
			Cluster:    &ClusterOptions{Name: "herald-test", Listen: addrs[i], Peers: addrs},
		}}
		nodes[i].start(t)
	}
	t.Cleanup(func() {
		for _, n := range nodes {
			n.stop(t)
		}
	})
	return nodes
}

func (n *clusterNode) start(t testing.TB) {
	t.Helper()
	srv, err := StartEmbedded(t.Context(), n.opts)
	require.NoError(t, err)
	n.srv = srv
}

// stop shuts the server down; stopping a stopped node does nothing.
func (n *clusterNode) stop(t testing.TB) {
	t.Helper()
	if n.srv != nil {
		require.NoError(t, n.srv.Shutdown(context.Background()))
		n.srv = nil
	}
}

// clusterBus connects a bus to the node's server in-process, keeping the
// stream on all three servers.
func clusterBus(t testing.TB, n *clusterNode) *Bus {
	t.Helper()
	return connect(t, Options{InProcess: n.srv, ClusterWait: 20 * time.Second, Stream: StreamOptions{Replicas: 3}})
}

// streamLeader waits for the stream to have a leader and returns its index.
func streamLeader(t *testing.T, nodes []*clusterNode) int {
	t.Helper()
	leader := -1
	require.Eventually(t, func() bool {
		for i, n := range nodes {
			if n.srv != nil && n.srv.srv.JetStreamIsStreamLeader(server.DEFAULT_GLOBAL_ACCOUNT, DefaultStreamName) {
				leader = i
				return true
			}
		}
		return false
	}, 20*time.Second, 20*time.Millisecond, "the stream has no leader")
	return leader
}

// localLastSeq is the last sequence of the node's own copy of the stream.
func localLastSeq(n *clusterNode) uint64 {
	info, err := n.srv.srv.Jsz(&server.JSzOptions{Accounts: true, Streams: true})
	if err != nil {
		return 0
	}
	for _, acc := range info.AccountDetails {
		for _, s := range acc.Streams {
			if s.Name == DefaultStreamName {
				return s.State.LastSeq
			}
		}
	}
	return 0
}

// publishRetrying publishes each event until the bus acknowledges it (a
// publish during a leader election may fail and be tried again: the event
// id keeps the stream free of duplicates) and returns the acked ids and
// the last sequence.
func publishRetrying(t *testing.T, b *Bus, evs []*event.Event) ([]string, uint64) {
	t.Helper()
	var (
		ids  []string
		last uint64
	)
	for _, ev := range evs {
		require.Eventually(t, func() bool {
			ack, err := b.Publish(t.Context(), ev)
			if err != nil {
				require.ErrorIs(t, err, eventbus.ErrUnavailable)
				return false
			}
			last = ack.Sequence
			return true
		}, 20*time.Second, 50*time.Millisecond, "event %s never acknowledged", ev.ID)
		ids = append(ids, ev.ID)
	}
	return ids, last
}

func events(name string, from, to int) []*event.Event {
	var evs []*event.Event
	for i := from; i < to; i++ {
		evs = append(evs, testEvent("es", name, i))
	}
	return evs
}

// containsAll reports whether got holds every id of want.
func containsAll(got, want []string) bool {
	for _, id := range want {
		if !slices.Contains(got, id) {
			return false
		}
	}
	return true
}

func TestClusterSurvivesLosingTheStreamLeader(t *testing.T) {
	nodes := startCluster(t, 3)
	buses := make([]*Bus, len(nodes))
	for i, n := range nodes {
		buses[i] = clusterBus(t, n)
	}
	leader := streamLeader(t, nodes)
	// The publisher and the consumer are on the two other servers.
	pub, sub := (leader+1)%3, (leader+2)%3

	// "steady" consumes all along; "paused" stops before the leader goes
	// away and resumes afterwards on another server.
	steady := &recorder{t: t}
	subscribe(t, buses[sub], eventbus.Subscription{Durable: "steady"}, steady.handle)
	paused := &recorder{t: t}
	stopPaused := subscribe(t, buses[sub], eventbus.Subscription{Durable: "paused"}, paused.handle)

	before, _ := publishRetrying(t, buses[pub], events("before", 0, 20))
	// Bounds of 30 s: a CI machine running other packages' tests at once
	// slowed a three-server cluster's first deliveries past 10 s.
	require.Eventually(t, func() bool { return containsAll(paused.ids(), before) }, 30*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		info := consumerInfo(t, buses[sub], "paused")
		return info.NumAckPending == 0 && info.NumPending == 0
	}, 30*time.Second, 10*time.Millisecond, "paused never acked everything")
	stopPaused()

	// The stream leader (and its client) go away: the two others elect a
	// new one and go on.
	require.NoError(t, buses[leader].Close(t.Context()))
	nodes[leader].stop(t)
	after, last := publishRetrying(t, buses[pub], events("after", 0, 20))
	require.NotEqual(t, leader, streamLeader(t, nodes))

	acked := append(slices.Clone(before), after...)
	require.Eventually(t, func() bool { return containsAll(steady.ids(), acked) }, 20*time.Second, 20*time.Millisecond,
		"steady lost acknowledged events")

	resumed := &recorder{t: t}
	subscribe(t, buses[pub], eventbus.Subscription{Durable: "paused"}, resumed.handle)
	require.Eventually(t, func() bool { return containsAll(resumed.ids(), after) }, 20*time.Second, 20*time.Millisecond,
		"paused did not resume")
	for _, id := range resumed.ids() {
		require.NotContains(t, before, id, "paused started over instead of resuming")
	}

	// The old leader comes back on its store, catches up and serves again.
	nodes[leader].start(t)
	require.Eventually(t, func() bool {
		return nodes[leader].srv.ClusterCurrent() && localLastSeq(nodes[leader]) == last
	}, 20*time.Second, 20*time.Millisecond, "the restarted server did not catch up")
	back := clusterBus(t, nodes[leader])
	again, _ := publishRetrying(t, back, events("again", 0, 5))
	require.Eventually(t, func() bool { return containsAll(steady.ids(), again) }, 20*time.Second, 20*time.Millisecond)
}

func TestClusterKeyValueAndJournalAreReplicated(t *testing.T) {
	nodes := startCluster(t, 3)
	b0, b1 := clusterBus(t, nodes[0]), clusterBus(t, nodes[1])
	ctx := t.Context()

	kv0, err := b0.KeyValue(ctx, "herald-test")
	require.NoError(t, err)
	_, err = kv0.Put(ctx, "k", []byte("v"))
	require.NoError(t, err)
	kv1, err := b1.KeyValue(ctx, "herald-test")
	require.NoError(t, err)
	got, _, err := kv1.Get(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "v", string(got))

	_, err = b0.Journal(ctx, "traces", JournalOptions{})
	require.NoError(t, err)
	for _, name := range []string{"KV_herald-test", "traces"} {
		s, err := b1.js.Stream(ctx, name)
		require.NoError(t, err)
		require.Equal(t, 3, s.CachedInfo().Config.Replicas, name)
	}
}

func TestClusterReplicas(t *testing.T) {
	three := []string{"a:6222", "b:6222", "c:6222"}
	for _, tc := range []struct {
		name      string
		cluster   *ClusterOptions
		requested int
		want      int
	}{
		{"one server", nil, 0, 1},
		{"one server asked for three", nil, 3, 1},
		{"three peers", &ClusterOptions{Peers: three}, 0, 3},
		{"five peers", &ClusterOptions{Peers: []string{"a", "b", "c", "d", "e"}}, 0, 3},
		{"two peers", &ClusterOptions{Peers: three[:2]}, 0, 2},
		{"repeated peers count once", &ClusterOptions{Peers: []string{"a", "a:6222", "nats-route://a:6222"}}, 0, 1},
		{"one DNS name", &ClusterOptions{Peers: []string{"herald-bus"}}, 0, 1},
		{"one DNS name asked for three", &ClusterOptions{Peers: []string{"herald-bus"}}, 3, 3},
		{"asked for more than peers", &ClusterOptions{Peers: three}, 5, 3},
		{"asked for one", &ClusterOptions{Peers: three}, 1, 1},
		{"asked for too many", &ClusterOptions{Peers: []string{"herald-bus"}}, 7, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.cluster.Replicas(tc.requested))
		})
	}
}

func TestRouteURLs(t *testing.T) {
	got, err := RouteURLs([]string{"herald-0.herald-bus:6222", "nats://10.0.0.1:7000", "herald-bus", " ", "nats-route://[::1]:6222/"})
	require.NoError(t, err)
	var s []string
	for _, u := range got {
		s = append(s, u.String())
	}
	require.Equal(t, []string{
		"nats-route://herald-0.herald-bus:6222",
		"nats-route://10.0.0.1:7000",
		"nats-route://herald-bus:6222",
		"nats-route://[::1]:6222",
	}, s)

	for peer, msg := range map[string]string{
		"http://a:1":    `peer "http://a:1": scheme "http" is neither nats-route nor nats`,
		"a:99999":       `peer "a:99999": bad port`,
		"a:1/x":         `peer "a:1/x": want host:port`,
		"nats-route://": `peer "nats-route://": want host:port`,
	} {
		_, err := RouteURLs([]string{peer})
		require.EqualError(t, err, msg, peer)
	}
}

func TestClusterServerWithLostStoreCatchesUp(t *testing.T) {
	nodes := startCluster(t, 3)
	b := clusterBus(t, nodes[0])
	_, last := publishRetrying(t, b, events("e", 0, 10))

	// Server 2 comes back under its name with an empty folder, as a pod
	// whose volume was lost does.
	nodes[2].stop(t)
	require.NoError(t, os.RemoveAll(nodes[2].opts.DataDir))
	nodes[2].start(t)
	require.Eventually(t, func() bool {
		return nodes[2].srv.ClusterCurrent() && localLastSeq(nodes[2]) == last
	}, 20*time.Second, 20*time.Millisecond, "the emptied server did not catch up")
}
