package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
)

// Subscribe delivers the events matching sub to h through the durable pull
// consumer sub.Durable (any string: it is escaped like a subject token),
// running up to Options.HandlerWorkers handlers at once. It blocks until ctx
// ends and then returns nil, once the running handlers have returned.
//
// While the server is unreachable it keeps trying; the consumer's position
// is on the server, so it resumes where it stopped. It returns early with
// an error for a subscription the server refuses (a bad configuration) and
// with eventbus.ErrClosed when the bus is closed.
//
// Messages that are not events are terminated and logged. Messages pulled
// but not yet handed to h when ctx ends are given back at once.
//
// When it starts, it hands back what an earlier run of the subscription
// left unacknowledged (a crash): the consumer is reset to its ack floor,
// so those events come again at once and in the stream's order, before the
// events after them, instead of after the ack wait and after newer events
// about the same thing (see handBack).
func (b *Bus) Subscribe(ctx context.Context, sub eventbus.Subscription, h eventbus.Handler) error {
	if h == nil {
		return fmt.Errorf("subscribing %q: nil handler", sub.Durable)
	}
	cfg, err := b.consumerConfig(sub)
	if err != nil {
		return fmt.Errorf("subscribing %q: %w", sub.Durable, err)
	}
	if err := b.enter(); err != nil {
		return fmt.Errorf("subscribing %q: %w", sub.Durable, err)
	}
	defer b.work.Done()

	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(b.stop, cancel)()

	defer b.backlog.track(cfg.Durable)()
	log := b.log.With("consumer", cfg.Durable)
	workers := min(b.opts.HandlerWorkers, cfg.MaxAckPending)
	batch := min(max(b.opts.PullBatch, workers), cfg.MaxAckPending)
	delay := minRetryDelay
	for first := true; ; first = false {
		start := time.Now()
		err := b.consume(ctx, cfg, workers, batch, first, sub.Started, h, log)
		switch {
		case parent.Err() != nil:
			return nil
		case ctx.Err() != nil:
			return fmt.Errorf("subscribing %q: %w", sub.Durable, eventbus.ErrClosed)
		case isPermanent(err):
			return fmt.Errorf("subscribing %q: %w", sub.Durable, err)
		}
		if time.Since(start) > maxRetryDelay {
			delay = minRetryDelay
		}
		log.Warn("event bus subscription interrupted", "error", err, "retry_in", delay)
		select {
		case <-time.After(delay):
		case <-ctx.Done():
		}
		delay = min(2*delay, maxRetryDelay)
	}
}

// Bounds of the pause before a failed subscription tries again.
const (
	minRetryDelay = 100 * time.Millisecond
	maxRetryDelay = 5 * time.Second
)

// consume creates or updates the consumer and hands its messages to h, at
// most workers at once, until ctx ends or the consumer fails. Up to batch
// messages are pulled ahead of the handlers. On the subscription's first
// consume, unacknowledged deliveries of an earlier run are handed back.
// started, when not nil, is called once messages are being pulled.
func (b *Bus) consume(ctx context.Context, cfg jetstream.ConsumerConfig, workers, batch int, first bool, started func(), h eventbus.Handler, log *slog.Logger) error {
	cons, err := b.ensureConsumer(ctx, cfg)
	if err != nil {
		return err
	}
	if first {
		b.handBack(ctx, cons, log)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(batch))
	if err != nil {
		return fmt.Errorf("pulling from consumer %s: %w", cfg.Durable, err)
	}
	if started != nil {
		started()
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	defer func() {
		b.giveBack(it, log)
		wg.Wait()
	}()
	for {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		m, err := next(ctx, it)
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			<-sem
			continue
		}
		if err != nil {
			return fmt.Errorf("pulling from consumer %s: %w", cfg.Durable, err)
		}
		if workers == 1 {
			// One handler at a time: run it here rather than hand each
			// message to a new goroutine (a Sensor's handler only queues).
			b.deliver(ctx, m, h, log)
			<-sem
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			b.deliver(ctx, m, h, log)
		})
	}
}

// nextWait bounds one wait of next. The client library decides whether to
// send a new pull request only when Next is called; if the messages of the
// request in flight all arrive before it has finished sending that request
// (a busy machine, an in-process server), Next waits with nothing requested
// until the heartbeat check fails after about 30s. Waking Next up now and
// then makes it look again.
const nextWait = time.Second

// next returns the iterator's next message, or context.DeadlineExceeded
// when none came within nextWait.
func next(ctx context.Context, it jetstream.MessagesContext) (jetstream.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, nextWait)
	defer cancel()
	return it.Next(jetstream.NextContext(ctx))
}

// ensureConsumer creates the durable consumer or updates it. An existing
// consumer keeps its delivery start, which the server cannot change.
func (b *Bus) ensureConsumer(ctx context.Context, cfg jetstream.ConsumerConfig) (jetstream.Consumer, error) {
	existing, err := b.js.Consumer(ctx, b.stream, cfg.Durable)
	switch {
	case err == nil:
		old := existing.CachedInfo().Config
		cfg.DeliverPolicy, cfg.OptStartSeq, cfg.OptStartTime = old.DeliverPolicy, old.OptStartSeq, old.OptStartTime
	case errors.Is(err, jetstream.ErrStreamNotFound):
		if err := b.ensureStream(ctx); err != nil {
			return nil, err
		}
	case !errors.Is(err, jetstream.ErrConsumerNotFound):
		return nil, fmt.Errorf("looking up consumer %s: %w", cfg.Durable, err)
	default:
		cfg = startNowIfReplicated(cfg, b.opts.Stream.Replicas)
	}
	cons, err := b.js.CreateOrUpdateConsumer(ctx, b.stream, cfg)
	if err != nil {
		return nil, fmt.Errorf("creating or updating consumer %s: %w", cfg.Durable, err)
	}
	if b.opts.Stream.Replicas > 1 {
		if err := awaitConsumerLeader(ctx, cons); err != nil {
			return nil, fmt.Errorf("waiting for consumer %s to have a leader: %w", cfg.Durable, err)
		}
	}
	return cons, nil
}

// handBack resets cons to its ack floor when it has deliveries awaiting an
// ack: at the start of a subscription they were made to an earlier run that
// is gone. Without it they would come again only after the ack wait, after
// the newer events, and a Sensor would apply an old change of an object
// over a newer one. Events acknowledged above the floor come again too
// (at-least-once; in order, so the newest still wins), so when the floor
// lags more than handBackSpan × MaxAckPending events behind, the pending
// ones are left to the ack wait rather than sending that many duplicates.
// A server without the reset API (before NATS 2.14) also leaves them to
// the ack wait.
func (b *Bus) handBack(ctx context.Context, cons jetstream.Consumer, log *slog.Logger) {
	info := cons.CachedInfo()
	if info == nil || info.NumAckPending == 0 {
		return
	}
	if span := info.Delivered.Stream - info.AckFloor.Stream; span > uint64(handBackSpan*max(info.Config.MaxAckPending, 1)) {
		log.Warn("unacknowledged events of an earlier run left to the ack wait: too many acknowledged events after them", "pending", info.NumAckPending, "span", span)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, handBackWait)
	defer cancel()
	resp, err := b.js.ResetConsumer(ctx, b.stream, info.Name)
	if err != nil {
		log.Warn("unacknowledged events of an earlier run left to the ack wait", "pending", info.NumAckPending, "error", err)
		return
	}
	b.stats.handedBack.Add(uint64(info.NumAckPending))
	log.Info("unacknowledged events of an earlier run delivered again in order", "pending", info.NumAckPending, "from_sequence", resp.ResetSeq)
}

// handBackSpan bounds, in MaxAckPendings, the events handBack may deliver
// again.
const handBackSpan = 16

// handBackWait bounds the reset request of handBack.
const handBackWait = 5 * time.Second

// consumerLeaderWait bounds the wait for a replicated consumer's leader.
const consumerLeaderWait = 30 * time.Second

// awaitConsumerLeader returns once cons answers for itself: in a cluster
// the server creates a consumer before its replicas elect a leader, and a
// pull request sent before then can go unanswered with no error, leaving
// the subscription idle while the stream grows.
func awaitConsumerLeader(ctx context.Context, cons jetstream.Consumer) error {
	ctx, cancel := context.WithTimeout(ctx, consumerLeaderWait)
	defer cancel()
	for {
		reqCtx, reqCancel := context.WithTimeout(ctx, time.Second)
		info, err := cons.Info(reqCtx)
		reqCancel()
		if err == nil && (info.Cluster == nil || info.Cluster.Leader != "") {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = errors.New("no leader elected")
			}
			return fmt.Errorf("%w (last: %w)", ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// giveBack stops pulling and naks the messages already pulled but not
// handled, so they are redelivered now rather than after the ack wait.
func (b *Bus) giveBack(it jetstream.MessagesContext, log *slog.Logger) {
	it.Drain()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for {
		m, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return
		}
		if err := m.Nak(); err != nil {
			log.Debug("pulled message not given back", "subject", m.Subject(), "error", err)
		}
	}
}

// deliver decodes m and runs h on it. A message that is not an event is
// terminated; a panicking handler is logged and its message redelivered.
func (b *Bus) deliver(ctx context.Context, m jetstream.Msg, h eventbus.Handler, log *slog.Logger) {
	ev := new(event.Event)
	if err := ev.UnmarshalJSON(m.Data()); err != nil {
		b.stats.undecodable.Add(1)
		log.Error("undecodable message terminated", "subject", m.Subject(), "error", err)
		if err := m.TermWithReason("not a CloudEvent"); err != nil {
			log.Warn("undecodable message not terminated", "subject", m.Subject(), "error", err)
		}
		return
	}
	msg := &message{msg: m, ev: ev}
	if meta, err := m.Metadata(); err == nil {
		msg.seq, msg.numDelivered = meta.Sequence.Stream, meta.NumDelivered
	}
	b.stats.delivered.Add(1)
	defer func() {
		if r := recover(); r != nil {
			log.Error("event handler panicked", "event_id", ev.ID, "panic", r, "stack", string(debug.Stack()))
			_ = m.NakWithDelay(time.Second)
		}
	}()
	h(ctx, msg)
}

// consumerConfig turns a Subscription into a durable pull consumer.
func (b *Bus) consumerConfig(sub eventbus.Subscription) (jetstream.ConsumerConfig, error) {
	if sub.Durable == "" {
		return jetstream.ConsumerConfig{}, errors.New("no durable name")
	}
	if sub.AckWait < 0 || sub.MaxDeliver < 0 || sub.MaxAckPending < 0 {
		return jetstream.ConsumerConfig{}, errors.New("negative ackWait, maxDeliver or maxAckPending")
	}
	filters, err := b.filterSubjects(sub.Filters)
	if err != nil {
		return jetstream.ConsumerConfig{}, err
	}
	cfg := jetstream.ConsumerConfig{
		Durable:       EscapeToken(sub.Durable),
		Description:   "herald subscription " + sub.Durable,
		DeliverPolicy: jetstream.DeliverNewPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       orDefault(sub.AckWait, DefaultAckWait),
		MaxDeliver:    orDefault(sub.MaxDeliver, -1),
		MaxAckPending: orDefault(sub.MaxAckPending, DefaultMaxAckPending),
	}
	switch {
	case b.opts.DeliverAll:
		cfg.DeliverPolicy = jetstream.DeliverAllPolicy
	case !b.opts.DeliverSince.IsZero():
		cfg.DeliverPolicy = jetstream.DeliverByStartTimePolicy
		since := b.opts.DeliverSince
		cfg.OptStartTime = &since
	}
	if len(filters) == 1 {
		cfg.FilterSubject = filters[0]
	} else {
		cfg.FilterSubjects = filters
	}
	return cfg, nil
}

// filterSubjects turns filters into subjects that do not overlap (JetStream
// refuses overlapping ones): a whole-source filter absorbs the filters on
// single events of that source, and repeats are dropped.
func (b *Bus) filterSubjects(filters []eventbus.Filter) ([]string, error) {
	wholeSource := map[string]bool{}
	for _, f := range filters {
		if f.EventSource == "" {
			return nil, fmt.Errorf("filter on event %q has no event source", f.Event)
		}
		if f.Event == "" {
			wholeSource[f.EventSource] = true
		}
	}
	var out []string
	for _, f := range filters {
		if f.Event != "" && wholeSource[f.EventSource] {
			continue
		}
		out = append(out, b.subjects.filter(f.EventSource, f.Event))
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// DeleteConsumer removes the durable consumer of a subscription that is gone
// for good (its Sensor was deleted); a missing consumer is not an error.
func (b *Bus) DeleteConsumer(ctx context.Context, durable string) error {
	err := b.js.DeleteConsumer(ctx, b.stream, EscapeToken(durable))
	if err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return fmt.Errorf("deleting consumer %s: %w", durable, err)
	}
	return nil
}
