package engine

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/testenv"
)

func TestBusCluster(t *testing.T) {
	require.Nil(t, Config{}.busCluster())
	require.Equal(t, &jetstream.ClusterOptions{Listen: ":6222", Peers: []string{"a", "b"}},
		Config{BusClusterPeers: []string{"a", "b"}}.busCluster())
	require.Equal(t, &jetstream.ClusterOptions{Name: "c", Listen: "127.0.0.1:7000"},
		Config{BusClusterName: "c", BusClusterListen: "127.0.0.1:7000"}.busCluster())
}

// TestRuntimesShareOneClusteredBus starts three runtimes as the replicas of
// a clustered embedded bus (each waits at start for the others) and reads
// through one what another wrote.
func TestRuntimesShareOneClusteredBus(t *testing.T) {
	addrs := make([]string, 3)
	for i := range addrs {
		port, err := testenv.FreePort()
		require.NoError(t, err)
		addrs[i] = fmt.Sprintf("127.0.0.1:%d", port)
	}
	cfgs := make([]Config, 3)
	for i := range cfgs {
		cfgs[i] = Config{
			DataDir: t.TempDir(), Namespace: "default", WebhookHost: "127.0.0.1",
			BusServerName: fmt.Sprintf("herald-%d", i), BusClusterName: "engine-test",
			BusClusterListen: addrs[i], BusClusterPeers: addrs,
		}
	}
	rts := make([]*Runtime, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range cfgs {
		wg.Go(func() { rts[i], errs[i] = Start(t.Context(), cfgs[i]) })
	}
	wg.Wait()
	for i, rt := range rts {
		require.NoError(t, errs[i])
		t.Cleanup(rt.Close)
	}

	kv0, err := rts[0].bus.KeyValue(t.Context(), "engine-test")
	require.NoError(t, err)
	_, err = kv0.Put(t.Context(), "k", []byte("from replica 0"))
	require.NoError(t, err)
	kv2, err := rts[2].bus.KeyValue(t.Context(), "engine-test")
	require.NoError(t, err)
	got, _, err := kv2.Get(t.Context(), "k")
	require.NoError(t, err)
	require.Equal(t, "from replica 0", string(got))
}
