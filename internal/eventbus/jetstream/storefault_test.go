//go:build linux

package jetstream

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventbus"
)

// failWrites makes every write to the open files under dir fail as on a
// full disk, by putting /dev/full in place of their descriptors.
func failWrites(t *testing.T, dir string) {
	t.Helper()
	full, err := os.OpenFile("/dev/full", os.O_RDWR, 0)
	require.NoError(t, err)
	defer full.Close()
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	replaced := 0
	for _, e := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil || !strings.HasPrefix(target, dir+string(filepath.Separator)) {
			continue
		}
		fd, err := strconv.Atoi(e.Name())
		require.NoError(t, err)
		require.NoError(t, syscall.Dup3(int(full.Fd()), fd, syscall.O_CLOEXEC))
		replaced++
	}
	require.NotZero(t, replaced, "no open file under %s", dir)
}

// TestStoreWriteErrorRefusesEventsAtOnce fails the embedded server's writes
// to the events stream as a full disk would: the server stops storing and
// answering publishes, the bus sees it and refuses the next events at once
// with eventbus.ErrUnavailable and the server's error, reports it
// (StoreFault, Stats), and the events stored before are still delivered.
func TestStoreWriteErrorRefusesEventsAtOnce(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir, "")
	b := newBusOn(t, srv, Options{BacklogCheck: 20 * time.Millisecond, PublishTimeout: 500 * time.Millisecond, DeliverAll: true})
	publishAll(t, b, testEvent("es", "e", 1))
	require.NoError(t, b.StoreFault())

	failWrites(t, filepath.Join(dir, "jetstream", "$G", "streams", DefaultStreamName, "msgs"))
	_, err := b.Publish(t.Context(), testEvent("es", "e", 2))
	require.ErrorIs(t, err, eventbus.ErrUnavailable, "the write that fails is not acknowledged")
	require.Eventually(t, func() bool { return b.StoreFault() != nil }, 10*time.Second, 10*time.Millisecond)
	require.ErrorContains(t, b.StoreFault(), "write error")
	require.True(t, b.Stats().StoreFailed)

	_, err = b.Publish(t.Context(), testEvent("es", "e", 3))
	require.ErrorIs(t, err, eventbus.ErrUnavailable)
	require.ErrorContains(t, err, "the event bus cannot write to its store", "refused before any wait for an acknowledgement")
	require.NotZero(t, b.Stats().Refused)

	r := &recorder{t: t}
	subscribe(t, b, eventbus.Subscription{Durable: "after-the-fault"}, r.handle)
	require.Eventually(t, func() bool { return r.len() >= 1 }, 10*time.Second, 10*time.Millisecond, "the event stored before is delivered")
}

// BenchmarkStoreFault is the store check each backlog check runs (once a
// second by default) on an embedded server whose event stream has the
// given number of durable consumers (one per Sensor): nats-server's
// Healthz with details looks at every stream and consumer.
func BenchmarkStoreFault(b *testing.B) {
	for _, consumers := range []int{10, 200, 1000} {
		b.Run(fmt.Sprintf("consumers=%d", consumers), func(b *testing.B) {
			srv := startServer(b, b.TempDir(), "")
			benchStoreFault(b, srv, newBusOn(b, srv, Options{BacklogCheck: -1}), consumers)
		})
	}
	// A three-server cluster, the stream and its consumers on all three:
	// there Healthz looks at every replicated stream and consumer.
	b.Run("cluster/consumers=200", func(b *testing.B) {
		nodes := startCluster(b, 3)
		benchStoreFault(b, nodes[0].srv, clusterBus(b, nodes[0]), 200)
	})
}

// benchStoreFault adds consumers to bus's stream, then measures srv's
// StoreFault.
func benchStoreFault(b *testing.B, srv *Embedded, bus *Bus, consumers int) {
	for i := range consumers {
		_, err := bus.js.CreateOrUpdateConsumer(b.Context(), bus.stream, jetstream.ConsumerConfig{
			Durable: fmt.Sprintf("sensor-%d", i), AckPolicy: jetstream.AckExplicitPolicy,
		})
		require.NoError(b, err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := srv.StoreFault(); err != nil {
			b.Fatal(err)
		}
	}
}
