package kafka

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"golang.org/x/time/rate"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/deliver"
)

// consumeGroup reads through the consumer group: each polled batch is
// emitted record by record, then its offsets are committed; rebalances wait
// until the batch is committed.
func (s *source) consumeGroup(ctx context.Context, cl *kgo.Client, emit eventsource.Emit) error {
	limit := s.limiter()
	defer cl.AllowRebalance()
	for {
		fetches := cl.PollRecords(ctx, pollSize)
		if ctx.Err() != nil {
			return nil
		}
		s.logFetchErrors(fetches)
		records := fetches.Records()
		handled := 0
		for _, r := range records {
			if !s.handle(ctx, limit, emit, r) {
				break
			}
			handled++
		}
		if handled > 0 {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
			err := cl.CommitRecords(cctx, records[:handled]...)
			cancel()
			if err != nil {
				// The records come again after the next rebalance or
				// restart; their events keep their ids.
				s.env.Logger.Warn("kafka offsets not committed", "topic", s.cfg.Topic, "group", s.groupName(), "error", err)
			}
		}
		cl.AllowRebalance()
		if handled < len(records) {
			return nil // ctx ended while emitting
		}
	}
}

// consumePartition reads one partition from the offset saved in the state
// store (the partition's end on the first start, saved at once so that a
// restart does not skip what was produced in between), saving the next
// offset after each emitted record.
func (s *source) consumePartition(ctx context.Context, cl *kgo.Client, emit eventsource.Emit) error {
	next, err := s.startOffset(ctx, cl)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{s.cfg.Topic: {s.partition: kgo.NewOffset().At(next)}})
	limit := s.limiter()
	for {
		fetches := cl.PollRecords(ctx, pollSize)
		if ctx.Err() != nil {
			return nil
		}
		s.logFetchErrors(fetches)
		for _, r := range fetches.Records() {
			if !s.handle(ctx, limit, emit, r) {
				return nil
			}
			s.saveOffset(ctx, r.Offset+1)
		}
	}
}

// handle emits the event of r, retrying a failed publish until it
// succeeds; false when ctx ended first. A record that cannot become event
// data is rejected (counted, logged) and counts as handled.
func (s *source) handle(ctx context.Context, limit *rate.Limiter, emit eventsource.Emit, r *kgo.Record) bool {
	if limit != nil {
		if err := limit.Wait(ctx); err != nil {
			return false
		}
	}
	data, err := buildPayload(r, s.cfg.JSONBody, s.cfg.Metadata)
	if err != nil {
		n := s.rejected.Add(1)
		s.env.Reject("invalid body")
		s.env.Logger.Error("kafka record rejected", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset,
			"error", err, "rejected_total", n)
		return true
	}
	ev := &event.Event{ID: s.eventID(r.Partition, r.Offset), DataContentType: event.ContentTypeJSON, Data: data}
	return deliver.EmitRetryingAll(ctx, emit, ev, s.env.Logger) == nil
}

// limiter paces reads at limitEventsPerSecond; nil without a limit.
func (s *source) limiter() *rate.Limiter {
	if s.cfg.LimitEventsPerSecond <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(s.cfg.LimitEventsPerSecond), 1)
}

// logFetchErrors logs what the client could not fetch; it keeps retrying
// on its own.
func (s *source) logFetchErrors(fetches kgo.Fetches) {
	fetches.EachError(func(topic string, partition int32, err error) {
		if errors.Is(err, context.Canceled) {
			return
		}
		s.env.Logger.Warn("kafka fetch failed", "topic", topic, "partition", partition, "error", err)
	})
}

// stateKey is where the next offset of the partition is saved.
func (s *source) stateKey() string {
	return StateKey(s.spec, s.cfg.Topic, s.partition)
}

// StateKey is the state store key under which a kafka event without a
// consumer group keeps the next offset of its partition.
func StateKey(spec eventsource.Spec, topic string, partition int32) string {
	return "kafka/" + scope(spec) + "/" + topic + "/" + strconv.Itoa(int(partition))
}

// startOffset returns the offset to read the partition from: the one saved,
// else the partition's end (saved at once).
func (s *source) startOffset(ctx context.Context, cl *kgo.Client) (int64, error) {
	if s.env.State == nil {
		s.env.Logger.Warn("kafka partition read without a state store; a restarted source starts at the newest record")
	} else {
		saved, err := s.env.State.Load(ctx, s.stateKey())
		if err != nil {
			return 0, fmt.Errorf("loading the offset of kafka %s: %w", s.spec.Name, err)
		}
		if saved != nil {
			off, err := strconv.ParseInt(string(saved), 10, 64)
			if err == nil {
				return off, nil
			}
			s.env.Logger.Warn("kafka saved offset unreadable; starting at the newest record", "error", err)
		}
	}
	end, err := endOffset(ctx, cl, s.cfg.Topic, s.partition)
	if err != nil {
		return 0, fmt.Errorf("reading the end of kafka topic %s partition %d: %w", s.cfg.Topic, s.partition, err)
	}
	s.saveOffset(ctx, end)
	return end, nil
}

// saveOffset records the next offset to read; a failure is logged (the
// records after the last saved offset come again after a restart).
func (s *source) saveOffset(ctx context.Context, next int64) {
	if s.env.State == nil {
		return
	}
	if err := s.env.State.Save(context.WithoutCancel(ctx), s.stateKey(), []byte(strconv.FormatInt(next, 10))); err != nil {
		s.env.Logger.Error("kafka offset not saved", "topic", s.cfg.Topic, "partition", s.partition, "error", err)
	}
}

// endOffset asks the partition's leader for its end offset.
func endOffset(ctx context.Context, cl *kgo.Client, topic string, partition int32) (int64, error) {
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Partition = partition
	rp.Timestamp = -1 // the end
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return 0, err
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if p.Partition != partition {
				continue
			}
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return 0, err
			}
			return p.Offset, nil
		}
	}
	return 0, fmt.Errorf("the broker did not answer for partition %d", partition)
}
