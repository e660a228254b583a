// Package redisstream is the "redisStream" event source kind: it reads
// Redis streams through a consumer group and turns every entry into an
// event, as Argo Events' redisStream source does, acknowledging an entry
// (XACK) only once the bus has stored its event.
//
// The event data has Argo's shape: {"stream", "message_id", "values",
// "metadata"}. The consumer group (argo-events-cg unless consumerGroup is
// set) is created on every stream at its end on the first start, so a
// group reads what is added after it was created. The source's consumer
// name is derived from the EventSource and the event, so that a restarted
// source is the same consumer: it first reads again the entries it had been
// given but not acknowledged (its pending entries list), then new ones.
// Their events keep their ids (derived from the stream and the entry id),
// so the bus drops those it had already stored. A failed publish is
// retried, with backoff, until it succeeds or the source stops.
package redisstream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/deliver"
	"github.com/herald-dev/herald/internal/redisclient"
)

// KindName is the kind's key under spec in an EventSource.
const KindName = "redisStream"

// Kind is the redisStream kind, registered in eventsource.Default.
var Kind = eventsource.Kind{
	Name:    KindName,
	Configs: func(spec *v1alpha1.EventSourceSpec) map[string]any { return eventsource.ConfigsOf(spec.RedisStream) },
	New: func(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
		return New(env, spec)
	},
	Doc: "Reads Redis streams through a consumer group and publishes each entry as an event.\n\n" +
		"The event data has Argo's shape, `{\"stream\", \"message_id\", \"values\", \"metadata\"}`. The group (`consumerGroup`, " +
		"`argo-events-cg` by default) is created on every stream, at its end, on the first start; each read takes at most " +
		"`maxMsgCountPerRead` entries per stream (10 by default). `hostAddress`, `password` (a Secret), `username`, `db` and `tls` " +
		"set up the connection.\n\n" +
		"Differences from Argo Events: an entry is acknowledged (XACK) only once the bus has stored its event, and a failed publish " +
		"is retried; a restarted source first reads again the entries it had been given but not acknowledged, with the same event " +
		"ids, so nothing is lost and repeats are dropped by the bus. A stream that does not exist yet is created empty (Argo waits for it).",
}

func init() { eventsource.Default.Register(Kind) }

const (
	// DefaultConsumerGroup is Argo's group name when consumerGroup is empty.
	DefaultConsumerGroup = "argo-events-cg"
	// defaultCount is Argo's maxMsgCountPerRead when unset.
	defaultCount = 10
	// block bounds one read's wait for new entries.
	block = time.Second
	// ackTimeout bounds an acknowledgement made while the source stops.
	ackTimeout = 10 * time.Second
)

// source reads the streams of one event.
type source struct {
	env      eventsource.Env
	spec     eventsource.Spec
	cfg      *v1alpha1.RedisStreamEventSource
	group    string
	consumer string
	scope    string
}

var _ eventsource.Source = (*source)(nil)

// New builds the redisStream source of one event; spec.Config is a
// *v1alpha1.RedisStreamEventSource (or the value).
func New(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
	cfg, err := eventsource.ConfigAs[v1alpha1.RedisStreamEventSource](spec)
	if err != nil {
		return nil, fmt.Errorf("building redisStream %s: %w", spec.Name, err)
	}
	switch {
	case cfg.HostAddress == "":
		return nil, fmt.Errorf("building redisStream %s: no hostAddress", spec.Name)
	case len(cfg.Streams) == 0:
		return nil, fmt.Errorf("building redisStream %s: no streams", spec.Name)
	case cfg.MaxMsgCountPerRead < 0:
		return nil, fmt.Errorf("building redisStream %s: maxMsgCountPerRead is negative", spec.Name)
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	s := &source{env: env, spec: spec, cfg: cfg, group: cfg.ConsumerGroup, scope: scope(spec)}
	if s.group == "" {
		s.group = DefaultConsumerGroup
	}
	s.consumer = ConsumerName(spec)
	return s, nil
}

// scope is "<namespace>/<eventsource>.<event>", the prefix of event ids.
func scope(spec eventsource.Spec) string {
	var ns, name string
	if es := spec.EventSource; es != nil {
		ns, name = es.Namespace, es.Name
	}
	return ns + "/" + name + "." + spec.Name
}

// ConsumerName is the consumer a source of spec reads as: the same across
// restarts, so that it gets its pending entries back.
func ConsumerName(spec eventsource.Spec) string {
	return "herald-" + strings.ReplaceAll(scope(spec), "/", ".")
}

// Start reads until ctx ends. A connection that cannot be made or is lost
// ends Start with an error: the runner starts it again after its backoff.
func (s *source) Start(ctx context.Context, emit eventsource.Emit) error {
	opts, err := redisclient.Options(ctx, redisclient.Conn{
		HostAddress: s.cfg.HostAddress, Password: s.cfg.Password, Username: s.cfg.Username, DB: s.cfg.DB, TLS: s.cfg.TLS,
	}, s.env.ReadSecret)
	if err != nil {
		return fmt.Errorf("connecting redisStream %s: %w", s.spec.Name, err)
	}
	opts.MaxRetries = -1 // the runner retries
	client := goredis.NewClient(opts)
	defer func() { _ = client.Close() }()
	for _, stream := range s.cfg.Streams {
		err := client.XGroupCreateMkStream(ctx, stream, s.group, "$").Err()
		if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("creating consumer group %s on redis stream %s at %s: %w", s.group, stream, s.cfg.HostAddress, err)
		}
	}
	s.env.Logger.Info("redis stream consumer ready", "address", s.cfg.HostAddress, "streams", s.cfg.Streams, "group", s.group, "consumer", s.consumer)
	return s.read(ctx, client, emit)
}

// read loops over XREADGROUP. Each stream starts at "0", its pending
// entries, and moves to ">" (new entries) once none is left.
func (s *source) read(ctx context.Context, client *goredis.Client, emit eventsource.Emit) error {
	next := make(map[string]string, len(s.cfg.Streams))
	for _, st := range s.cfg.Streams {
		next[st] = "0"
	}
	count := int64(s.cfg.MaxMsgCountPerRead)
	if count == 0 {
		count = defaultCount
	}
	for {
		args := &goredis.XReadGroupArgs{Group: s.group, Consumer: s.consumer, Count: count, Block: block}
		args.Streams = append(args.Streams, s.cfg.Streams...)
		pending := false
		for _, st := range s.cfg.Streams {
			args.Streams = append(args.Streams, next[st])
			pending = pending || next[st] != ">"
		}
		if pending {
			args.Block = -1 // pending entries are there or not: no wait
		}
		res, err := client.XReadGroup(ctx, args).Result()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !errors.Is(err, goredis.Nil) {
			return fmt.Errorf("reading redis streams %v at %s: %w", s.cfg.Streams, s.cfg.HostAddress, err)
		}
		for _, st := range res {
			if next[st.Stream] != ">" && len(st.Messages) == 0 {
				next[st.Stream] = ">" // no pending entry left
				continue
			}
			for _, m := range st.Messages {
				if !s.handle(ctx, client, emit, st.Stream, m) {
					return nil
				}
				if next[st.Stream] != ">" {
					next[st.Stream] = m.ID
				}
			}
		}
	}
}

// handle emits the event of entry m, retrying a failed publish, then
// acknowledges it; false when ctx ended before the publish succeeded.
func (s *source) handle(ctx context.Context, client *goredis.Client, emit eventsource.Emit, stream string, m goredis.XMessage) bool {
	data, err := json.Marshal(payload{Stream: stream, ID: m.ID, Values: m.Values, Metadata: s.cfg.Metadata})
	if err != nil {
		// Values are strings read from Redis: they always encode.
		s.env.Logger.Error("redis stream entry rejected", "stream", stream, "entry", m.ID, "error", err)
		return true
	}
	ev := &event.Event{ID: s.eventID(stream, m.ID), DataContentType: event.ContentTypeJSON, Data: data}
	if deliver.EmitRetryingAll(ctx, emit, ev, s.env.Logger) != nil {
		return false
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	if err := client.XAck(actx, stream, s.group, m.ID).Err(); err != nil {
		// The entry stays pending: it comes again after a restart.
		s.env.Logger.Warn("redis stream entry not acknowledged", "stream", stream, "entry", m.ID, "event_id", ev.ID, "error", err)
	}
	return true
}

// eventID derives the id of entry id of stream.
func (s *source) eventID(stream, id string) string {
	sum := sha256.Sum256([]byte(s.scope + "\x00" + stream + "\x00" + id))
	return hex.EncodeToString(sum[:16])
}

// payload is a redisStream event's data, in Argo's shape.
type payload struct {
	Stream   string            `json:"stream"`
	ID       string            `json:"message_id"`
	Values   map[string]any    `json:"values"`
	Metadata map[string]string `json:"metadata,omitempty"`
}
