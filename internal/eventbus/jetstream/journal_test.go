package jetstream

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
)

// TestJournal appends records under keys that need escaping, reads them
// back by key and from the end, and finds them again after a restart of
// the server on the same store.
func TestJournal(t *testing.T) {
	dir := t.TempDir()
	srv, err := StartEmbedded(context.Background(), EmbeddedOptions{DataDir: dir, Logger: testLogger(t)})
	require.NoError(t, err)
	b, err := Connect(t.Context(), Options{InProcess: srv, Logger: testLogger(t)})
	require.NoError(t, err)

	j, err := b.Journal(t.Context(), "herald-traces", JournalOptions{MaxAge: time.Hour, MaxBytes: 1 << 20})
	require.NoError(t, err)
	keys := []string{"a", "ns/obj.with dots*>", "a"}
	var entries []JournalEntry
	for i, k := range keys {
		entries = append(entries, JournalEntry{Key: k, Data: fmt.Appendf(nil, "%d", i)})
	}
	require.NoError(t, j.Append(t.Context(), entries))

	got, err := j.Read(t.Context(), "a")
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte("0"), []byte("2")}, got)
	got, err = j.Read(t.Context(), "missing")
	require.NoError(t, err)
	require.Empty(t, got)

	var recent []string
	require.NoError(t, j.Recent(t.Context(), 2, func(key string, data []byte) {
		recent = append(recent, key+"="+string(data))
	}))
	require.Equal(t, []string{"ns/obj.with dots*>=1", "a=2"}, recent)

	_, err = b.Journal(t.Context(), DefaultSubjectPrefix, JournalOptions{})
	require.Error(t, err, "a journal must not take the bus's subjects")

	require.NoError(t, b.Close(context.Background()))
	require.NoError(t, srv.Shutdown(context.Background()))

	srv = startServer(t, dir, "")
	b = connect(t, Options{InProcess: srv})
	j, err = b.Journal(t.Context(), "herald-traces", JournalOptions{MaxAge: time.Hour, MaxBytes: 1 << 20})
	require.NoError(t, err)
	got, err = j.Read(t.Context(), "ns/obj.with dots*>")
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte("1")}, got)
}

// TestJournalLazyKeepsItsMode opens a lazy journal (async persist), reads
// what it appended, and opens it again without Lazy (and a journal made
// without Lazy with it): a stream's persist mode cannot change, so each
// keeps the mode it was created with instead of failing to open.
func TestJournalLazyKeepsItsMode(t *testing.T) {
	b := connect(t, Options{InProcess: startServer(t, t.TempDir(), "")})
	mode := func(name string) jetstream.PersistModeType {
		s, err := b.js.Stream(t.Context(), name)
		require.NoError(t, err)
		return s.CachedInfo().Config.PersistMode
	}

	j, err := b.Journal(t.Context(), "lazy", JournalOptions{MaxBytes: 1 << 20, Lazy: true})
	require.NoError(t, err)
	require.NoError(t, j.Append(t.Context(), []JournalEntry{{Key: "k", Data: []byte("v")}}))
	got, err := j.Read(t.Context(), "k")
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte("v")}, got)
	require.Equal(t, jetstream.AsyncPersistMode, mode("lazy"))

	_, err = b.Journal(t.Context(), "lazy", JournalOptions{MaxBytes: 2 << 20})
	require.NoError(t, err)
	require.Equal(t, jetstream.AsyncPersistMode, mode("lazy"))

	_, err = b.Journal(t.Context(), "eager", JournalOptions{MaxBytes: 1 << 20})
	require.NoError(t, err)
	_, err = b.Journal(t.Context(), "eager", JournalOptions{MaxBytes: 1 << 20, Lazy: true})
	require.NoError(t, err)
	require.Equal(t, jetstream.DefaultPersistMode, mode("eager"))
}

func TestDropJournal(t *testing.T) {
	b := newBus(t, Options{})
	_, err := b.Journal(t.Context(), "old-traces", JournalOptions{MaxAge: time.Hour})
	require.NoError(t, err)
	dropped, err := b.DropJournal(t.Context(), "old-traces")
	require.NoError(t, err)
	require.True(t, dropped)
	dropped, err = b.DropJournal(t.Context(), "old-traces")
	require.NoError(t, err)
	require.False(t, dropped, "nothing left to drop")
	_, err = b.DropJournal(t.Context(), "bad name")
	require.Error(t, err)
}
