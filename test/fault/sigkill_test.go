package fault

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSIGKILLDuringWebhookToHTTP streams events from a webhook to an HTTP
// trigger while herald is killed with SIGKILL at random points and
// restarted on the same data folder. Clients send each event until it is
// answered 200. Every event answered 200 reaches the target at least once;
// a duplicate is only an event that was in flight at a kill, and it carries
// the same event id as its first delivery.
func TestSIGKILLDuringWebhookToHTTP(t *testing.T) {
	total, kills := sized(3000, 20000), sized(3, 5)
	dir := t.TempDir()
	target := newSink(t)
	webhookPort := freePort(t)
	writeFile(t, dir, "es.yaml", webhookEventSource("stream", webhookPort))
	writeFile(t, dir, "sn.yaml", forwardSensor("forward", "stream", target.url(), `      retryStrategy:
        steps: 3
        duration: 50ms
`))
	args := []string{
		"run", "-f", dir, "--data-dir", filepath.Join(dir, "data"), "--webhook-host", "127.0.0.1",
		"--metrics-addr", "", "--ui-addr", "", "--log-level", "warn",
	}
	herald := startHerald(t, args...)

	ctx, cancel := context.WithTimeout(t.Context(), sized(3*time.Minute, 20*time.Minute))
	defer cancel()
	s := newSender(webhookPort)
	// Kill points: a random number of acknowledged events each, between
	// 5 % and 95 % of the stream.
	points := make([]int64, kills)
	for i := range points {
		points[i] = int64(total/20 + rand.IntN(total*9/10))
	}
	slices.Sort(points)
	killed := make(chan int)
	go func() {
		done := 0
		defer func() { killed <- done }()
		for _, p := range points {
			for s.acked.Load() < p {
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Millisecond):
				}
			}
			// A random extra pause, so that kills also land between
			// a publish and its trigger, not only on acknowledgement.
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Duration(rand.IntN(200)) * time.Millisecond):
			}
			herald.Kill()
			done++
			herald = startHerald(t, args...)
		}
	}()
	s.sendAll(ctx, total, 8)
	injected := <-killed
	require.NoError(t, ctx.Err(), "sending timed out after %d of %d acknowledged", s.acked.Load(), total)
	require.EqualValues(t, total, s.acked.Load())
	require.Equal(t, kills, injected)

	require.Eventually(t, func() bool { return target.tally().distinct == total }, sized(2*time.Minute, 10*time.Minute), 100*time.Millisecond,
		"events answered 200 never reached the target, e.g. %v", target.missing(total))
	target.checkIDs(t)
	got := target.tally()
	// What may be in flight at a kill: the events a Sensor holds
	// unacknowledged (the bus's max ack pending, 1024).
	require.LessOrEqual(t, got.duplicates, kills*1024, "more duplicates than events in flight")
	t.Logf("events: %d sent (answered 200), %d requests refused %v, %d SIGKILLs; target: %d distinct, %d deliveries, %d duplicates, 0 lost",
		total, sum(s.refusals()), s.refusals(), injected, got.distinct, got.deliveries, got.duplicates)
	herald.Stop(t)
}

func sum(m map[int]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
