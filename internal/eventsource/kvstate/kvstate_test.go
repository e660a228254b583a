package kvstate

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventbus/jetstream"
)

func TestStateAndCheckpointsSurviveReconnect(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	open := func() (*Store, func()) {
		srv, err := jetstream.StartEmbedded(ctx, jetstream.EmbeddedOptions{DataDir: dir})
		require.NoError(t, err)
		bus, err := jetstream.Connect(ctx, jetstream.Options{InProcess: srv})
		require.NoError(t, err)
		kv, err := bus.KeyValue(ctx, "sources")
		require.NoError(t, err)
		return New(kv), func() {
			require.NoError(t, bus.Close(ctx))
			require.NoError(t, srv.Shutdown(ctx))
		}
	}
	s, stop := open()
	val, err := s.Load(ctx, "ns/es.event")
	require.NoError(t, err)
	require.Nil(t, val)
	_, ok, err := s.Checkpoints().Load(ctx, "ns/cal.daily")
	require.NoError(t, err)
	require.False(t, ok)

	require.NoError(t, s.Save(ctx, "ns/es.event", []byte(`{"uid":"1"}`)))
	fired := time.Date(2026, 11, 26, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	require.NoError(t, s.Checkpoints().Save(ctx, "ns/cal.daily", fired))
	stop()

	s, stop = open()
	defer stop()
	val, err = s.Load(ctx, "ns/es.event")
	require.NoError(t, err)
	require.JSONEq(t, `{"uid":"1"}`, string(val))
	got, ok, err := s.Checkpoints().Load(ctx, "ns/cal.daily")
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, got.Equal(fired))
}
