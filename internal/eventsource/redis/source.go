// Package redis is the "redis" event source kind: it subscribes to Redis
// Pub/Sub channels (patterns allowed) and turns every message into an
// event, as Argo Events' redis source does.
//
// The event data has Argo's shape: {"channel", "pattern", "body",
// "metadata"}; the body is the message embedded as JSON with jsonBody, else
// the message as a string. A message that is not JSON while jsonBody is set
// is rejected: logged, counted and skipped.
//
// Redis Pub/Sub keeps nothing: a message published while no source is
// subscribed is lost, in Argo as in Herald (use redisStream for delivery
// across restarts). What Herald adds is that a message received is never
// dropped because the bus is down: its publish is retried, with backoff,
// until it succeeds or the source stops.
package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	goredis "github.com/redis/go-redis/v9"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/deliver"
	"github.com/herald-dev/herald/internal/redisclient"
)

// KindName is the kind's key under spec in an EventSource.
const KindName = "redis"

// Kind is the redis kind, registered in eventsource.Default.
var Kind = eventsource.Kind{
	Name:    KindName,
	Configs: func(spec *v1alpha1.EventSourceSpec) map[string]any { return eventsource.ConfigsOf(spec.Redis) },
	New: func(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
		return New(env, spec)
	},
	Doc: "Subscribes to Redis Pub/Sub channels and publishes each message as an event.\n\n" +
		"`channels` may hold patterns (`orders.*`). The event data has Argo's shape, `{\"channel\", \"pattern\", \"body\", \"metadata\"}`: " +
		"the body is the message embedded as JSON with `jsonBody`, else the message as a string. `hostAddress`, `password` (a Secret, " +
		"read in `namespace` when set), `username`, `db` and `tls` set up the connection.\n\n" +
		"Redis Pub/Sub keeps nothing: a message published while the source is not subscribed (a restart, a connection lost) is lost, " +
		"as in Argo; use `redisStream` for delivery across restarts. Differences from Argo Events: a message received is never dropped " +
		"because the bus is down, its publish is retried until it succeeds; a message that is not JSON while `jsonBody` is set is " +
		"logged, counted and skipped.",
}

func init() { eventsource.Default.Register(Kind) }

// source is one subscription.
type source struct {
	env      eventsource.Env
	spec     eventsource.Spec
	cfg      *v1alpha1.RedisEventSource
	rejected atomic.Uint64
}

var _ eventsource.Source = (*source)(nil)

// New builds the redis source of one event; spec.Config is a
// *v1alpha1.RedisEventSource (or the value).
func New(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
	cfg, err := eventsource.ConfigAs[v1alpha1.RedisEventSource](spec)
	if err != nil {
		return nil, fmt.Errorf("building redis %s: %w", spec.Name, err)
	}
	switch {
	case cfg.HostAddress == "":
		return nil, fmt.Errorf("building redis %s: no hostAddress", spec.Name)
	case len(cfg.Channels) == 0:
		return nil, fmt.Errorf("building redis %s: no channels", spec.Name)
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Namespace != "" {
		env.Namespace = cfg.Namespace
	}
	return &source{env: env, spec: spec, cfg: cfg}, nil
}

// Rejected returns how many messages were skipped because they could not
// be turned into event data (not JSON with jsonBody).
func (s *source) Rejected() uint64 { return s.rejected.Load() }

// Start subscribes and emits until ctx ends. A connection that cannot be
// made, or is lost, ends Start with an error: the runner subscribes again
// after its backoff.
func (s *source) Start(ctx context.Context, emit eventsource.Emit) error {
	opts, err := redisclient.Options(ctx, redisclient.Conn{
		HostAddress: s.cfg.HostAddress, Password: s.cfg.Password, Username: s.cfg.Username, DB: s.cfg.DB, TLS: s.cfg.TLS,
	}, s.env.ReadSecret)
	if err != nil {
		return fmt.Errorf("connecting redis %s: %w", s.spec.Name, err)
	}
	opts.MaxRetries = -1 // the runner retries
	client := goredis.NewClient(opts)
	defer func() { _ = client.Close() }()
	sub := client.PSubscribe(ctx, s.cfg.Channels...)
	defer func() { _ = sub.Close() }()
	// The first answer confirms the subscription, or says why it failed.
	if _, err := sub.Receive(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("subscribing redis %s to %v on %s: %w", s.spec.Name, s.cfg.Channels, s.cfg.HostAddress, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = sub.Close() }) // unblocks the read
	defer stop()
	s.env.Logger.Info("redis subscription ready", "address", s.cfg.HostAddress, "channels", s.cfg.Channels)
	for {
		msg, err := sub.ReceiveMessage(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("receiving from redis %s on %s: %w", s.spec.Name, s.cfg.HostAddress, err)
		}
		if !s.handle(ctx, emit, msg) {
			return nil
		}
	}
}

// handle emits the event of msg, retrying a failed publish; false when ctx
// ended first.
func (s *source) handle(ctx context.Context, emit eventsource.Emit, msg *goredis.Message) bool {
	data, err := buildPayload(msg, s.cfg.JSONBody, s.cfg.Metadata)
	if err != nil {
		n := s.rejected.Add(1)
		s.env.Reject("invalid body")
		s.env.Logger.Error("redis message rejected", "channel", msg.Channel, "error", err, "rejected_total", n)
		return true
	}
	ev := &event.Event{DataContentType: event.ContentTypeJSON, Data: data}
	return deliver.EmitRetryingAll(ctx, emit, ev, s.env.Logger) == nil
}

// payload is a redis event's data, in Argo's shape.
type payload struct {
	Channel  string            `json:"channel"`
	Pattern  string            `json:"pattern"`
	Body     any               `json:"body"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// errNotJSON is the rejection of a message that is not JSON with jsonBody.
var errNotJSON = errors.New("the message is not JSON but jsonBody is set")

func buildPayload(msg *goredis.Message, jsonBody bool, metadata map[string]string) ([]byte, error) {
	p := payload{Channel: msg.Channel, Pattern: msg.Pattern, Body: msg.Payload, Metadata: metadata}
	if jsonBody {
		if !json.Valid([]byte(msg.Payload)) {
			return nil, errNotJSON
		}
		p.Body = json.RawMessage(msg.Payload)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding the event data: %w", err)
	}
	return data, nil
}
