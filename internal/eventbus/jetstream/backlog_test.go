package jetstream

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventbus"
)

// TestBacklogGuardRefusesBeforeTheStreamDropsWhatIsNotAcknowledged: a
// subscription that receives events but does not acknowledge them fills
// the stream (maxMsgs 50); at 90 % publishes are refused as unavailable,
// nothing it has not acknowledged is dropped, and once it acknowledges
// publishes go through again.
func TestBacklogGuardRefusesBeforeTheStreamDropsWhatIsNotAcknowledged(t *testing.T) {
	b := newBus(t, Options{Stream: StreamOptions{MaxMsgs: 50}, BacklogCheck: -1})
	held := &recorder{t: t, decide: func(eventbus.Message) {}} // never acks
	subscribe(t, b, eventbus.Subscription{Durable: "slow"}, held.handle)
	check := func() { b.checkBacklog(t.Context()) }

	for n := range 44 {
		publishAll(t, b, testEvent("hook", "e", n))
	}
	check()
	require.False(t, b.Stats().BacklogFull, "44 of 50: under 90 %")
	publishAll(t, b, testEvent("hook", "e", 44))
	check()
	require.True(t, b.Stats().BacklogFull, "45 of 50")

	_, err := b.Publish(t.Context(), testEvent("hook", "e", 45))
	require.ErrorIs(t, err, eventbus.ErrUnavailable)
	require.ErrorContains(t, err, `45 events not acknowledged`)
	require.EqualValues(t, 1, b.Stats().Refused)
	require.EqualValues(t, 45, streamMsgs(t, b), "nothing dropped")

	// Once the subscription acknowledges what it holds, events flow again.
	require.Eventually(t, func() bool { return held.len() == 45 }, 10*time.Second, 10*time.Millisecond)
	held.mu.Lock()
	msgs := held.msgs
	held.mu.Unlock()
	for _, m := range msgs {
		require.NoError(t, m.Ack(t.Context()))
	}
	require.Eventually(t, func() bool {
		check()
		return !b.Stats().BacklogFull
	}, 10*time.Second, 20*time.Millisecond)
	publishAll(t, b, testEvent("hook", "e", 45))
}

// TestBacklogGuardCutsABurstBetweenChecks: after one check, the events
// published count towards the backlog at once, so a burst stops at 90 % of
// maxMsgs without waiting for the next check.
func TestBacklogGuardCutsABurstBetweenChecks(t *testing.T) {
	b := newBus(t, Options{Stream: StreamOptions{MaxMsgs: 50}, BacklogCheck: -1})
	subscribe(t, b, eventbus.Subscription{Durable: "slow"}, (&recorder{t: t, decide: func(eventbus.Message) {}}).handle)
	b.checkBacklog(t.Context())
	accepted := 0
	for n := range 60 {
		if _, err := b.Publish(t.Context(), testEvent("hook", "e", n)); err != nil {
			require.ErrorIs(t, err, eventbus.ErrUnavailable)
			require.ErrorContains(t, err, "about 45 events not acknowledged")
			continue
		}
		accepted++
	}
	require.Equal(t, 45, accepted)
	require.EqualValues(t, 15, b.Stats().Refused)
	require.EqualValues(t, 45, streamMsgs(t, b), "nothing dropped")
}

// TestBacklogGuardRunsOnItsOwn: with a check interval, the guard refuses
// publishes without being called, and a subscription that stopped (nobody
// pulls from its consumer) is no longer looked at.
func TestBacklogGuardRunsOnItsOwn(t *testing.T) {
	b := newBus(t, Options{Stream: StreamOptions{MaxMsgs: 20}, BacklogCheck: 10 * time.Millisecond})
	stop := subscribe(t, b, eventbus.Subscription{Durable: "stuck"}, (&recorder{t: t, decide: func(eventbus.Message) {}}).handle)
	for n := range 20 {
		// A publish acknowledged while a check runs may count twice: the
		// guard can refuse one event early, never late.
		if _, err := b.Publish(t.Context(), testEvent("hook", "e", n)); err != nil {
			require.ErrorIs(t, err, eventbus.ErrUnavailable)
			require.GreaterOrEqual(t, n, 17)
		}
	}
	require.Eventually(t, func() bool { return b.Stats().BacklogFull }, 10*time.Second, 10*time.Millisecond)
	stop()
	require.Eventually(t, func() bool { return !b.Stats().BacklogFull }, 10*time.Second, 10*time.Millisecond,
		"only the subscriptions this process runs count")
}

// TestBacklogGuardKeepsAnotherProcesssSensor: on a shared bus, a process
// that only publishes refuses events while another process's durable
// subscription, being pulled from, holds 90 % of the stream unacknowledged.
func TestBacklogGuardKeepsAnotherProcesssSensor(t *testing.T) {
	srv := startServer(t, t.TempDir(), "")
	o := Options{Stream: StreamOptions{MaxMsgs: 50}, BacklogCheck: -1}
	publisher, consumer := newBusOn(t, srv, o), newBusOn(t, srv, o)
	subscribe(t, consumer, eventbus.Subscription{Durable: "elsewhere"}, (&recorder{t: t, decide: func(eventbus.Message) {}}).handle)
	publisher.checkBacklog(t.Context())
	accepted := 0
	for n := range 60 {
		if _, err := publisher.Publish(t.Context(), testEvent("hook", "e", n)); err == nil {
			accepted++
		}
	}
	require.Equal(t, 45, accepted)
	publisher.checkBacklog(t.Context())
	require.True(t, publisher.Stats().BacklogFull)
	require.EqualValues(t, 45, streamMsgs(t, publisher), "nothing dropped")
}

func TestUnacknowledged(t *testing.T) {
	st := jetstream.StreamState{LastSeq: 100}
	for _, tc := range []struct {
		name string
		ci   *jetstream.ConsumerInfo
		want uint64
	}{
		{"no consumer", nil, 0},
		{"caught up, floor far behind (events it does not select)", &jetstream.ConsumerInfo{AckFloor: jetstream.SequenceInfo{Stream: 10}}, 0},
		{"undelivered events", &jetstream.ConsumerInfo{NumPending: 5, AckFloor: jetstream.SequenceInfo{Stream: 10}}, 90},
		{"undelivered events after everything delivered was acknowledged", &jetstream.ConsumerInfo{NumPending: 5, AckFloor: jetstream.SequenceInfo{Stream: 10}, Delivered: jetstream.SequenceInfo{Stream: 60}}, 40},
		{"awaiting acks", &jetstream.ConsumerInfo{NumAckPending: 1, AckFloor: jetstream.SequenceInfo{Stream: 99}}, 1},
		{"floor at the end", &jetstream.ConsumerInfo{NumPending: 1, AckFloor: jetstream.SequenceInfo{Stream: 100}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, unacknowledged(st, tc.ci))
		})
	}
}

func TestBacklogFill(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     jetstream.StreamConfig
		state   jetstream.StreamState
		pending uint64
		want    float64
	}{
		{"messages", jetstream.StreamConfig{MaxMsgs: 1000, MaxBytes: -1}, jetstream.StreamState{Msgs: 500, Bytes: 50_000}, 250, 0.25},
		{"bytes, from the mean size", jetstream.StreamConfig{MaxMsgs: -1, MaxBytes: 100_000}, jetstream.StreamState{Msgs: 500, Bytes: 50_000}, 250, 0.25},
		{"the larger", jetstream.StreamConfig{MaxMsgs: 1000, MaxBytes: 40_000}, jetstream.StreamState{Msgs: 500, Bytes: 50_000}, 400, 1},
		{"no limits", jetstream.StreamConfig{MaxMsgs: -1, MaxBytes: -1}, jetstream.StreamState{Msgs: 500, Bytes: 50_000}, 400, 0},
		{"empty stream", jetstream.StreamConfig{MaxMsgs: -1, MaxBytes: 10}, jetstream.StreamState{}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := backlogFill(&jetstream.StreamInfo{Config: tc.cfg, State: tc.state}, tc.pending)
			require.InDelta(t, tc.want, got, 1e-9)
		})
	}
}
