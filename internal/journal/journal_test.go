package journal

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventbus/jetstream"
)

func entries(kv ...string) []jetstream.JournalEntry {
	var out []jetstream.JournalEntry
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, jetstream.JournalEntry{Key: kv[i], Data: []byte(kv[i+1])})
	}
	return out
}

func read(t *testing.T, j *Journal, key string) []string {
	t.Helper()
	raw, err := j.Read(context.Background(), key)
	require.NoError(t, err)
	var out []string
	for _, b := range raw {
		out = append(out, string(b))
	}
	return out
}

func recent(t *testing.T, j *Journal, n uint64) []string {
	t.Helper()
	var out []string
	require.NoError(t, j.Recent(context.Background(), n, func(key string, data []byte) {
		out = append(out, key+"="+string(data))
	}))
	return out
}

// TestJournal appends records under keys of every shape, reads them back
// by key and from the end, and finds them again after a reopen.
func TestJournal(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir, Options{})
	require.NoError(t, err)
	require.NoError(t, j.Append(t.Context(), entries("a", "0", "ns/obj.with dots*>", "1", "a", "2", "", "no key", "b", "")))
	require.NoError(t, j.Append(t.Context(), entries("é", "3")))

	require.Equal(t, []string{"0", "2"}, read(t, j, "a"))
	require.Equal(t, []string{"1"}, read(t, j, "ns/obj.with dots*>"))
	require.Equal(t, []string{""}, read(t, j, "b"))
	require.Empty(t, read(t, j, "missing"))
	require.Equal(t, []string{"a=2", "b=", "é=3"}, recent(t, j, 3))
	require.Len(t, recent(t, j, 100), 5)
	require.Empty(t, recent(t, j, 0))
	require.NoError(t, j.Close())

	j, err = Open(dir, Options{})
	require.NoError(t, err)
	defer j.Close()
	require.Equal(t, []string{"0", "2"}, read(t, j, "a"))
	require.NoError(t, j.Append(t.Context(), entries("a", "4")))
	require.Equal(t, []string{"0", "2", "4"}, read(t, j, "a"))
	require.Equal(t, []string{"é=3", "a=4"}, recent(t, j, 2))
}

// TestJournalLimits fills a journal past MaxBytes: the oldest segments go,
// the size stays bounded, and what is left reads back whole.
func TestJournalLimits(t *testing.T) {
	dir := t.TempDir()
	const maxBytes = 4 << 20
	j, err := Open(dir, Options{MaxBytes: maxBytes})
	require.NoError(t, err)
	defer j.Close()
	data := strings.Repeat("x", 1000)
	const n = 20000 // ~20 MB
	for i := range n {
		require.NoError(t, j.Append(t.Context(), entries(fmt.Sprintf("k%d", i%5000), fmt.Sprintf("%d:%s", i, data))))
	}
	var size int64
	files, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, f := range files {
		info, err := f.Info()
		require.NoError(t, err)
		size += info.Size()
	}
	require.LessOrEqual(t, size, int64(maxBytes+minSegment))
	require.Greater(t, size, int64(maxBytes/2))

	// k4999 was written last at i = 19999, 14999, ...: the recent ones are
	// kept, oldest first, and nothing of another key.
	got := read(t, j, "k4999")
	require.NotEmpty(t, got)
	require.True(t, strings.HasPrefix(got[len(got)-1], "19999:"), got[len(got)-1][:10])
	for i := 1; i < len(got); i++ {
		require.Less(t, got[i-1][:5], got[i][:5])
	}
	require.Len(t, recent(t, j, 10), 10)
	require.True(t, strings.HasPrefix(recent(t, j, 1)[0], "k4999=19999:"))
	// The index forgot the keys whose records are gone.
	require.LessOrEqual(t, len(j.index), 5000)
}

// TestJournalMaxAge drops the segments whose newest record is past MaxAge.
func TestJournalMaxAge(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	j, err := Open(t.TempDir(), Options{MaxBytes: 8 * minSegment, MaxAge: time.Hour, Now: clock})
	require.NoError(t, err)
	defer j.Close()
	big := strings.Repeat("y", minSegment/2)
	require.NoError(t, j.Append(t.Context(), entries("old", big)))
	require.NoError(t, j.Append(t.Context(), entries("old", big))) // starts a second segment
	now = now.Add(2 * time.Hour)
	require.NoError(t, j.Append(t.Context(), entries("new", big))) // a third
	require.Empty(t, read(t, j, "old"))
	require.Equal(t, []string{big}, read(t, j, "new"))
}

// TestJournalTornEnd opens a journal whose last segment ends with half a
// record (a crash during a write) or with garbage: the whole records stay,
// the rest is cut off, and appending goes on after them.
func TestJournalTornEnd(t *testing.T) {
	for name, tail := range map[string][]byte{
		"half a record": appendRecord(nil, "torn", []byte("lost data"), 0)[:30],
		"garbage":       []byte("\xff\xff\xff\xff garbage that is no record at all"),
		"a bad crc":     func() []byte { b := appendRecord(nil, "bad", []byte("crc"), 0); b[0]++; return b }(),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			j, err := Open(dir, Options{})
			require.NoError(t, err)
			require.NoError(t, j.Append(t.Context(), entries("a", "1", "b", "2")))
			require.NoError(t, j.Close())
			seg := filepath.Join(dir, "0000000000.seg")
			f, err := os.OpenFile(seg, os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = f.Write(tail)
			require.NoError(t, err)
			require.NoError(t, f.Close())

			var logged bytes.Buffer
			j, err = Open(dir, Options{Logger: slog.New(slog.NewTextHandler(&logged, nil))})
			require.NoError(t, err)
			defer j.Close()
			require.Contains(t, logged.String(), "journal segment damaged")
			require.Contains(t, logged.String(), fmt.Sprintf("dropped_bytes=%d", len(tail)))
			require.Equal(t, []string{"a=1", "b=2"}, recent(t, j, 10))
			require.NoError(t, j.Append(t.Context(), entries("a", "3")))
			require.Equal(t, []string{"1", "3"}, read(t, j, "a"))
			require.Equal(t, []string{"a=1", "b=2", "a=3"}, recent(t, j, 10))
		})
	}
}

// TestJournalDamagedOlderSegment opens a journal whose first segment is
// damaged in the middle: its records before the damage and every record
// of the later segments stay, the file is left as it is, and the damage is
// logged.
func TestJournalDamagedOlderSegment(t *testing.T) {
	dir := t.TempDir()
	o := Options{MaxBytes: 8 * minSegment}
	j, err := Open(dir, o)
	require.NoError(t, err)
	big := strings.Repeat("z", minSegment/3)
	require.NoError(t, j.Append(t.Context(), entries("a", big)))
	require.NoError(t, j.Append(t.Context(), entries("b", big)))
	require.NoError(t, j.Append(t.Context(), entries("c", big))) // the first segment is full
	require.NoError(t, j.Append(t.Context(), entries("d", "4")))
	require.NoError(t, j.Close())
	ids, err := (&Journal{dir: dir}).segmentIDs()
	require.NoError(t, err)
	require.Greater(t, len(ids), 1, "the test needs two segments")

	first := filepath.Join(dir, "0000000000.seg")
	raw, err := os.ReadFile(first)
	require.NoError(t, err)
	second := len(appendRecord(nil, "a", []byte(big), 0))
	raw[second+headerSize+5]++ // inside b's record
	require.NoError(t, os.WriteFile(first, raw, 0o600))

	var logged bytes.Buffer
	o.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	j, err = Open(dir, o)
	require.NoError(t, err)
	defer j.Close()
	require.Contains(t, logged.String(), "journal segment damaged")
	require.Equal(t, []string{big}, read(t, j, "a"))
	require.Empty(t, read(t, j, "b"))
	require.Equal(t, []string{"4"}, read(t, j, "d"))
	info, err := os.Stat(first)
	require.NoError(t, err)
	require.Equal(t, int64(len(raw)), info.Size(), "an older segment is not cut")
}

// TestJournalRefusesOversizedRecords refuses a record past the bounds and
// keeps the others of the same call.
func TestJournalRefusesOversizedRecords(t *testing.T) {
	j, err := Open(t.TempDir(), Options{})
	require.NoError(t, err)
	defer j.Close()
	err = j.Append(t.Context(), entries(strings.Repeat("k", MaxKeyBytes+1), "x", "ok", "1"))
	require.ErrorContains(t, err, "more than a journal holds")
	require.Equal(t, []string{"1"}, read(t, j, "ok"))
}

// TestJournalConcurrentUse appends, reads and lists at once (run it with
// -race).
func TestJournalConcurrentUse(t *testing.T) {
	j, err := Open(t.TempDir(), Options{MaxBytes: 2 << 20})
	require.NoError(t, err)
	defer j.Close()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 500 {
				key := fmt.Sprintf("w%d-%d", w, i%50)
				require.NoError(t, j.Append(context.Background(), entries(key, strings.Repeat("z", 500))))
				if i%10 == 0 {
					_, err := j.Read(context.Background(), key)
					require.NoError(t, err)
					require.NoError(t, j.Recent(context.Background(), 20, func(string, []byte) {}))
				}
			}
		})
	}
	wg.Wait()
	require.Len(t, read(t, j, "w0-0"), 10)
}
