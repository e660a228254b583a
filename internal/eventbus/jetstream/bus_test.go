package jetstream

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
)

func TestRoundTripKeepsAttributes(t *testing.T) {
	b := newBus(t, Options{})
	r := &recorder{t: t}
	subscribe(t, b, eventbus.Subscription{Durable: "round-trip"}, r.handle)

	jsonEv := &event.Event{
		ID: "id-1", Source: "webhook-es", Subject: "example", Type: "webhook",
		Time:            time.Date(2026, 3, 4, 5, 6, 7, 890000000, time.UTC),
		DataContentType: event.ContentTypeJSON,
		Data:            []byte(`{"body":{"a":[1,2,3]},"header":{"X":["y"]}}`),
		Extensions:      map[string]string{"traceparent": "00-abc-def-01"},
	}
	binEv := &event.Event{
		ID: "id-2", Source: "webhook-es", Subject: "raw", Type: "webhook",
		Time:            time.Date(2026, 3, 4, 5, 6, 8, 0, time.UTC),
		DataContentType: "application/octet-stream",
		Data:            []byte{0, 1, 2, 0xff},
	}
	ack, err := b.Publish(t.Context(), jsonEv)
	require.NoError(t, err)
	require.Equal(t, eventbus.PublishAck{Stream: "herald", Sequence: 1}, ack)
	ack, err = b.Publish(t.Context(), binEv)
	require.NoError(t, err)
	require.Equal(t, uint64(2), ack.Sequence)

	require.Eventually(t, func() bool { return r.len() == 2 }, 10*time.Second, 10*time.Millisecond)
	got := map[string]eventbus.Message{}
	for _, m := range r.all() {
		got[m.Event().ID] = m
	}
	require.EqualExportedValues(t, jsonEv, got["id-1"].Event())
	require.Equal(t, binEv, got["id-2"].Event())
	require.Equal(t, uint64(1), got["id-1"].Sequence())
	require.Equal(t, uint64(1), got["id-1"].NumDelivered())

	st := b.Stats()
	require.Equal(t, uint64(2), st.Published)
	require.Equal(t, uint64(2), st.Delivered)
	require.Zero(t, st.InFlight)
}

// TestSubscribeReportsStarted: Subscription.Started is called once the
// consumer exists on the server.
func TestSubscribeReportsStarted(t *testing.T) {
	b := newBus(t, Options{})
	existed := make(chan bool, 1)
	sub := eventbus.Subscription{Durable: "started", Started: func() {
		_, err := b.js.Consumer(context.Background(), b.stream, EscapeToken("started"))
		existed <- err == nil
	}}
	subscribe(t, b, sub, (&recorder{t: t}).handle)
	select {
	case ok := <-existed:
		require.True(t, ok, "the consumer existed when Started was called")
	case <-time.After(10 * time.Second):
		require.FailNow(t, "Started was not called")
	}
}

func TestPublishRejectsInvalidEvents(t *testing.T) {
	b := newBus(t, Options{})
	for _, ev := range []*event.Event{nil, {Source: "s", Type: "t"}, {ID: "x", Type: "t"}, {ID: "x", Source: "s"}} {
		_, err := b.Publish(t.Context(), ev)
		require.ErrorIs(t, err, event.ErrInvalid)
	}
}

func TestDuplicateIDStoredOnce(t *testing.T) {
	b := newBus(t, Options{})
	ev := testEvent("es", "e", 1)
	first, err := b.Publish(t.Context(), ev)
	require.NoError(t, err)
	require.False(t, first.Duplicate)
	second, err := b.Publish(t.Context(), ev)
	require.NoError(t, err)
	require.True(t, second.Duplicate)
	require.Equal(t, first.Sequence, second.Sequence)
	require.Equal(t, uint64(1), streamMsgs(t, b))
	require.Equal(t, uint64(1), b.Stats().Duplicates)
}

func TestDurableConsumerResumes(t *testing.T) {
	b := newBus(t, Options{})
	sub := eventbus.Subscription{Durable: "resume"}
	first := &recorder{t: t}
	stop := subscribe(t, b, sub, first.handle)
	for i := range 5 {
		publishAll(t, b, testEvent("es", "e", i))
	}
	require.Eventually(t, func() bool { return first.len() == 5 }, 10*time.Second, 10*time.Millisecond)
	stop()

	// Published while nobody listens: the durable remembers its position.
	for i := 5; i < 10; i++ {
		publishAll(t, b, testEvent("es", "e", i))
	}
	second := &recorder{t: t}
	subscribe(t, b, sub, second.handle)
	require.Eventually(t, func() bool { return second.len() == 5 }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		info := consumerInfo(t, b, sub.Durable)
		return info.NumAckPending == 0 && info.NumPending == 0
	}, 10*time.Second, 10*time.Millisecond)

	ids := second.ids()
	slices.Sort(ids)
	require.Equal(t, []string{"es-e-5", "es-e-6", "es-e-7", "es-e-8", "es-e-9"}, ids)
	for _, m := range second.all() {
		require.Equal(t, uint64(1), m.NumDelivered())
	}
}

func TestNakRedelivers(t *testing.T) {
	b := newBus(t, Options{})
	r := &recorder{t: t}
	r.decide = func(m eventbus.Message) {
		if m.NumDelivered() == 1 {
			require.NoError(t, m.Nak(0))
			return
		}
		require.NoError(t, m.Ack(context.Background()))
	}
	subscribe(t, b, eventbus.Subscription{Durable: "nak"}, r.handle)
	publishAll(t, b, testEvent("es", "e", 1))
	require.Eventually(t, func() bool { return r.len() == 2 }, 10*time.Second, 10*time.Millisecond)
	msgs := r.all()
	require.Equal(t, uint64(1), msgs[0].NumDelivered())
	require.Equal(t, uint64(2), msgs[1].NumDelivered())
	require.Equal(t, msgs[0].Sequence(), msgs[1].Sequence())
	require.Equal(t, msgs[0].Event(), msgs[1].Event())
}

func TestTermStopsRedelivery(t *testing.T) {
	b := newBus(t, Options{})
	r := &recorder{t: t}
	r.decide = func(m eventbus.Message) { require.NoError(t, m.Term()) }
	subscribe(t, b, eventbus.Subscription{Durable: "term", AckWait: 200 * time.Millisecond}, r.handle)
	publishAll(t, b, testEvent("es", "e", 1))
	require.Eventually(t, func() bool {
		info := consumerInfo(t, b, "term")
		return r.len() == 1 && info.NumAckPending == 0 && info.NumPending == 0 && info.NumRedelivered == 0
	}, 10*time.Second, 10*time.Millisecond)

	// A later event comes through; the terminated one did not come back.
	r.mu.Lock()
	r.decide = nil
	r.mu.Unlock()
	publishAll(t, b, testEvent("es", "e", 2))
	require.Eventually(t, func() bool { return r.len() == 2 }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, []string{"es-e-1", "es-e-2"}, r.ids())
}

func TestAckWaitExpiryRedelivers(t *testing.T) {
	b := newBus(t, Options{})
	r := &recorder{t: t}
	r.decide = func(m eventbus.Message) {
		if m.NumDelivered() > 1 {
			require.NoError(t, m.Ack(context.Background()))
		}
		// First delivery: neither ack nor nak; the ack wait runs out.
	}
	subscribe(t, b, eventbus.Subscription{Durable: "ackwait", AckWait: 300 * time.Millisecond}, r.handle)
	publishAll(t, b, testEvent("es", "e", 1))
	require.Eventually(t, func() bool { return r.len() == 2 }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, uint64(2), r.all()[1].NumDelivered())
}

func TestInProgressAndMaxDeliver(t *testing.T) {
	b := newBus(t, Options{})
	r := &recorder{t: t}
	r.decide = func(m eventbus.Message) {
		require.NoError(t, m.InProgress())
		require.NoError(t, m.Nak(0))
	}
	subscribe(t, b, eventbus.Subscription{Durable: "maxdeliver", MaxDeliver: 3}, r.handle)
	publishAll(t, b, testEvent("es", "e", 1))
	require.Eventually(t, func() bool {
		info := consumerInfo(t, b, "maxdeliver")
		return r.len() == 3 && info.NumAckPending == 0
	}, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, uint64(3), r.all()[2].NumDelivered())
}

func TestFiltersBySourceAndEvent(t *testing.T) {
	b := newBus(t, Options{})
	r := &recorder{t: t}
	sub := eventbus.Subscription{Durable: "filters", Filters: []eventbus.Filter{
		{EventSource: "a"},
		{EventSource: "a", Event: "absorbed"},
		{EventSource: "b", Event: "x"},
		{EventSource: "b", Event: "x"},
	}}
	subscribe(t, b, sub, r.handle)
	publishAll(t, b,
		testEvent("a", "one", 1), testEvent("a", "two", 2),
		testEvent("b", "x", 3), testEvent("b", "y", 4),
		testEvent("c", "x", 5), testEvent("ab", "x", 6),
	)
	require.Eventually(t, func() bool {
		info := consumerInfo(t, b, "filters")
		return r.len() == 3 && info.NumAckPending == 0 && info.NumPending == 0
	}, 10*time.Second, 10*time.Millisecond)
	ids := r.ids()
	slices.Sort(ids)
	require.Equal(t, []string{"a-one-1", "a-two-2", "b-x-3"}, ids)
}

func TestNamesWithDotsAndWildcards(t *testing.T) {
	b := newBus(t, Options{})
	odd := []struct{ source, name string }{
		{"my.source", "push.event"},
		{"*", ">"},
		{"with space", "tab\there"},
		{"100%", "%41"},
		{"ünï", "日本"},
		{"path/like", `back\slash`},
		{"es", ""},
	}
	all := &recorder{t: t}
	subscribe(t, b, eventbus.Subscription{Durable: "odd.names/all"}, all.handle)
	only := &recorder{t: t}
	subscribe(t, b, eventbus.Subscription{Durable: "odd-only", Filters: []eventbus.Filter{{EventSource: "my.source"}, {EventSource: "*", Event: ">"}}}, only.handle)

	for i, o := range odd {
		publishAll(t, b, testEvent(o.source, o.name, i))
	}
	require.Eventually(t, func() bool { return all.len() == len(odd) && only.len() == 2 }, 10*time.Second, 10*time.Millisecond)
	for _, m := range all.all() {
		ev := m.Event()
		require.Contains(t, odd, struct{ source, name string }{ev.Source, ev.Subject})
	}
	ids := only.ids()
	slices.Sort(ids)
	require.Equal(t, []string{"*->-1", "my.source-push.event-0"}, ids)
	require.Eventually(t, func() bool { return consumerInfo(t, b, "odd-only").NumPending == 0 }, 10*time.Second, 10*time.Millisecond)
}

func TestUndecodableMessagesAreTerminated(t *testing.T) {
	b := newBus(t, Options{})
	r := &recorder{t: t}
	subscribe(t, b, eventbus.Subscription{Durable: "garbage"}, r.handle)
	_, err := b.js.Publish(t.Context(), "herald.es.e", []byte("not json"))
	require.NoError(t, err)
	_, err = b.js.Publish(t.Context(), "herald.es.e", []byte(`{"specversion":"1.0","id":"no-source"}`))
	require.NoError(t, err)
	publishAll(t, b, testEvent("es", "e", 1))
	require.Eventually(t, func() bool {
		info := consumerInfo(t, b, "garbage")
		return r.len() == 1 && info.NumAckPending == 0 && info.NumPending == 0
	}, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, []string{"es-e-1"}, r.ids())
	require.Equal(t, uint64(2), b.Stats().Undecodable)
}

func TestHandlerPanicRedelivers(t *testing.T) {
	b := newBus(t, Options{})
	r := &recorder{t: t}
	r.decide = func(m eventbus.Message) {
		if m.NumDelivered() == 1 {
			panic("boom")
		}
		require.NoError(t, m.Ack(context.Background()))
	}
	subscribe(t, b, eventbus.Subscription{Durable: "panic"}, r.handle)
	publishAll(t, b, testEvent("es", "e", 1))
	require.Eventually(t, func() bool { return r.len() == 2 }, 10*time.Second, 10*time.Millisecond)
}

func TestSubscribeRefusesBadSubscriptions(t *testing.T) {
	b := newBus(t, Options{})
	h := func(context.Context, eventbus.Message) {}
	for _, sub := range []eventbus.Subscription{
		{},
		{Durable: "x", Filters: []eventbus.Filter{{Event: "e"}}},
		{Durable: "x", AckWait: -time.Second},
	} {
		require.Error(t, b.Subscribe(t.Context(), sub, h))
	}
	require.Error(t, b.Subscribe(t.Context(), eventbus.Subscription{Durable: "x"}, nil))
}

func TestDeliverAllReplaysHistory(t *testing.T) {
	b := newBus(t, Options{DeliverAll: true})
	publishAll(t, b, testEvent("es", "e", 1), testEvent("es", "e", 2))
	r := &recorder{t: t}
	subscribe(t, b, eventbus.Subscription{Durable: "replay"}, r.handle)
	require.Eventually(t, func() bool { return r.len() == 2 }, 10*time.Second, 10*time.Millisecond)
}

func TestSubscriptionSurvivesConsumerDeletion(t *testing.T) {
	b := newBus(t, Options{})
	r := &recorder{t: t}
	subscribe(t, b, eventbus.Subscription{Durable: "deleted"}, r.handle)
	publishAll(t, b, testEvent("es", "e", 1))
	require.Eventually(t, func() bool { return r.len() == 1 }, 10*time.Second, 10*time.Millisecond)

	require.NoError(t, b.DeleteConsumer(t.Context(), "deleted"))
	require.NoError(t, b.DeleteConsumer(t.Context(), "no-such-consumer"))
	require.Eventually(t, func() bool {
		_, err := b.js.Consumer(t.Context(), b.stream, "deleted")
		return err == nil
	}, 20*time.Second, 10*time.Millisecond, "consumer not recreated")
	publishAll(t, b, testEvent("es", "e", 2))
	require.Eventually(t, func() bool { return r.len() == 2 }, 10*time.Second, 10*time.Millisecond)
}

func TestStartHandsBackWhatAnEarlierRunLeftUnacknowledged(t *testing.T) {
	b := newBus(t, Options{HandlerWorkers: 1}) // one at a time: the order shows
	sub := eventbus.Subscription{Durable: "handback", AckWait: time.Hour}
	first := &recorder{t: t}
	first.decide = func(m eventbus.Message) {
		if m.Event().ID != "es-e-1" { // the run dies before acking event 1
			require.NoError(t, m.Ack(context.Background()))
		}
	}
	stop := subscribe(t, b, sub, first.handle)
	publishAll(t, b, testEvent("es", "e", 1), testEvent("es", "e", 2))
	require.Eventually(t, func() bool { return first.len() == 2 }, 10*time.Second, 10*time.Millisecond)
	stop()
	publishAll(t, b, testEvent("es", "e", 3))

	// Without the hand-back, event 1 would come after event 3, in an hour.
	second := &recorder{t: t}
	subscribe(t, b, sub, second.handle)
	require.Eventually(t, func() bool { return second.len() == 3 }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, []string{"es-e-1", "es-e-2", "es-e-3"}, second.ids(), "in the stream's order, event 2 again too")
	require.EqualValues(t, 1, b.Stats().HandedBack)
	require.Eventually(t, func() bool {
		info := consumerInfo(t, b, sub.Durable)
		return info.NumAckPending == 0 && info.NumPending == 0
	}, 10*time.Second, 10*time.Millisecond)
}
