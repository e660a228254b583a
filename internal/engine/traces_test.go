package engine

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/journal"
)

// TestTraceJournalPlace checks where the traces go: files of the data
// folder with the embedded one-server bus, the bus's herald-traces stream
// when the bus is shared (here: the same server reached by URL, as an
// external bus is).
func TestTraceJournalPlace(t *testing.T) {
	ctx := t.Context()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	cfg := Config{DataDir: t.TempDir(), BusListen: addr, Logger: slog.New(slog.DiscardHandler), ShutdownTimeout: 5 * time.Second}
	bus, stop, err := connectBus(ctx, cfg, eventsource.Env{})
	require.NoError(t, err)
	defer stop()

	j, closeJournal, err := openTraceJournal(ctx, cfg, bus, time.Hour, 1<<20)
	require.NoError(t, err)
	require.IsType(t, &journal.Journal{}, j)
	require.NoError(t, j.Append(ctx, []jetstream.JournalEntry{{Key: "ev", Data: []byte(`{"id":"ev"}`)}}))
	closeJournal()
	segs, err := os.ReadDir(filepath.Join(cfg.DataDir, tracesFolder))
	require.NoError(t, err)
	require.NotEmpty(t, segs)

	shared := Config{DataDir: t.TempDir(), BusURLs: []string{"nats://" + addr}, Logger: cfg.Logger, ShutdownTimeout: 5 * time.Second}
	ext, stopExt, err := connectBus(ctx, shared, eventsource.Env{})
	require.NoError(t, err)
	defer stopExt()
	j, closeJournal, err = openTraceJournal(ctx, shared, ext, time.Hour, 1<<20)
	require.NoError(t, err)
	defer closeJournal()
	require.IsType(t, &jetstream.Journal{}, j)
	require.NoError(t, j.Append(context.Background(), []jetstream.JournalEntry{{Key: "ev", Data: []byte("x")}}))
	_, err = os.Stat(filepath.Join(shared.DataDir, tracesFolder))
	require.ErrorIs(t, err, os.ErrNotExist)

	// Back on the embedded bus: while other processes may reach its server
	// (BusListen), the stream of traces stays; on a server of its own, the
	// stream an earlier version kept the traces in is removed.
	sharedJournal := j
	_, closeAgain, err := openTraceJournal(ctx, cfg, bus, time.Hour, 1<<20)
	require.NoError(t, err)
	closeAgain()
	kept, err := sharedJournal.Read(ctx, "ev")
	require.NoError(t, err)
	require.Len(t, kept, 1, "the shared processes' traces stay")
	private := cfg
	private.BusListen = ""
	_, closeAgain, err = openTraceJournal(ctx, private, bus, time.Hour, 1<<20)
	require.NoError(t, err)
	closeAgain()
	dropped, err := bus.DropJournal(ctx, tracesJournal)
	require.NoError(t, err)
	require.False(t, dropped, "already removed")
}
