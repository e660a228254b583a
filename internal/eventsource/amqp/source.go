// Package amqp is the "amqp" event source kind: it consumes messages from
// an AMQP 0.9.1 broker (RabbitMQ), declaring the exchange and queue and
// binding them as Argo Events' amqp source does, and turns each message into
// an event, with Herald's durability.
//
// Each message is acknowledged only once its event is on the bus; a failed
// publish is retried with backoff, the message held, until it succeeds or
// the source stops (the broker then delivers the message again); an event
// the bus refuses for good gets its message rejected. Argo
// acknowledges on delivery (autoAck) when the consume section is left out;
// Herald does so only when consume.autoAck is set to true, and then a
// message whose publish never succeeds is lost.
//
// The event data has Argo's shape: the message's properties
// (contentType, contentEncoding, deliveryMode, priority, correlationId,
// replyTo, expiration, messageId, timestamp, type, appId), its exchange and
// routing key, the body and the metadata. With jsonBody the body is
// embedded as JSON; a message that is not JSON is then rejected (dead-lettered
// when the queue has a dead-letter exchange, dropped otherwise), logged and
// counted, where Argo fails on it. Without jsonBody the body is a base64
// string, as in Argo.
//
// A message with a messageId gets an event id derived from the EventSource,
// the event name and that id, so that a message delivered again (after a
// crash between the publish and the acknowledgement) is dropped by the
// bus's deduplication; other messages get a fresh id.
package amqp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/deliver"
)

// KindName is the kind's key under spec in an EventSource.
const KindName = "amqp"

// Kind is the amqp kind, registered in eventsource.Default.
var Kind = eventsource.Kind{
	Name:    KindName,
	Configs: func(spec *v1alpha1.EventSourceSpec) map[string]any { return eventsource.ConfigsOf(spec.AMQP) },
	New: func(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
		return New(env, spec)
	},
	Doc: "Consumes messages from an AMQP 0.9.1 broker such as RabbitMQ and publishes each one as an event.\n\n" +
		"The source connects to `url` (or the URL in `urlSecret`) with `auth` and `tls`, retrying as `connectionBackoff` says, " +
		"declares the exchange (`exchangeName`, `exchangeType`, `exchangeDeclare`) and the queue (`queueDeclare`, its `arguments` " +
		"a YAML mapping), binds them with `routingKey` (`queueBind`) and consumes (`consume`). Left-out sections take Argo's " +
		"defaults: a durable exchange and a server-named, exclusive queue, which lives only as long as the connection: messages " +
		"sent while the source is not running are lost unless `queueDeclare` names a durable, non-exclusive queue.\n\n" +
		"The event data has Argo's shape: the message properties (`contentType`, `messageId`, `timestamp`, ...), `exchange`, " +
		"`routingKey`, `body` and `metadata`. With `jsonBody` the body is embedded as JSON; otherwise it is a base64 string, as in Argo.\n\n" +
		"Differences from Argo Events: a message is acknowledged only once its event is stored on the bus, and a failed publish " +
		"is retried, so no message is lost (Argo acknowledges on delivery when `consume` is left out; Herald does so only when " +
		"`consume.autoAck` is set to true). With `jsonBody`, a message whose body is not JSON is rejected (dead-lettered if the " +
		"queue has a dead-letter exchange), logged and counted, where Argo fails on it. A message with a `messageId` gets an event " +
		"id derived from it, so that a message delivered again is dropped by the bus. Whole numbers in `queueDeclare.arguments` " +
		"are sent as integers (Argo sends floats, which RabbitMQ refuses for `x-message-ttl` and the like).",
}

func init() { eventsource.Default.Register(Kind) }

// prefetch bounds the messages the broker hands out before they are
// acknowledged.
const prefetch = 32

// closeTimeout bounds closing the connection when the source stops.
const closeTimeout = 5 * time.Second

// source consumes the messages of one amqp event.
type source struct {
	env      eventsource.Env
	spec     eventsource.Spec
	cfg      *v1alpha1.AMQPEventSource
	settings settings
	key      string // event id scope

	rejected atomic.Uint64
}

var _ eventsource.Source = (*source)(nil)

// New builds the amqp source of one event; spec.Config is a
// *v1alpha1.AMQPEventSource (or the value).
func New(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
	cfg, err := eventsource.ConfigAs[v1alpha1.AMQPEventSource](spec)
	if err != nil {
		return nil, fmt.Errorf("building amqp %s: %w", spec.Name, err)
	}
	set, err := readSettings(cfg)
	if err != nil {
		return nil, fmt.Errorf("building amqp %s: %w", spec.Name, err)
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	var ns, name string
	if es := spec.EventSource; es != nil {
		ns, name = es.Namespace, es.Name
	}
	return &source{env: env, spec: spec, cfg: cfg, settings: set, key: ns + "/" + name + "." + spec.Name}, nil
}

// Rejected counts the messages the source rejected: their event data could
// not be built (a body that is not JSON with jsonBody) or the bus refused
// their event for good (an error other than eventbus.ErrUnavailable).
func (s *source) Rejected() uint64 { return s.rejected.Load() }

// Start connects, declares, consumes and emits until ctx ends. It returns
// an error when the broker cannot be reached (after connectionBackoff's
// tries), refuses a declaration, or closes the connection or channel.
func (s *source) Start(ctx context.Context, emit eventsource.Emit) error {
	conn, err := s.connect(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("amqp %s: %w", s.spec.Name, err)
	}
	// Closing the connection returns the messages not yet acknowledged to
	// the queue.
	defer func() { _ = conn.CloseDeadline(time.Now().Add(closeTimeout)) }()
	closed := conn.NotifyClose(make(chan *amqp.Error, 1))
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("amqp %s: opening a channel: %w", s.spec.Name, err)
	}
	chClosed := ch.NotifyClose(make(chan *amqp.Error, 1))
	deliveries, queue, err := s.subscribe(ch)
	if err != nil {
		return fmt.Errorf("amqp %s: %w", s.spec.Name, err)
	}
	s.env.Logger.Info("amqp consumer ready", "exchange", s.cfg.ExchangeName, "queue", queue, "routing_key", s.cfg.RoutingKey,
		"auto_ack", s.settings.consume.AutoAck)
	for {
		select {
		case <-ctx.Done():
			return nil
		case d, ok := <-deliveries:
			if !ok {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("amqp %s: the broker stopped the delivery of queue %s: %w", s.spec.Name, queue, closeReason(chClosed, closed))
			}
			if !s.handle(ctx, emit, &d) {
				return nil
			}
		}
	}
}

// subscribe declares the exchange and the queue, binds them and starts
// consuming; it returns the deliveries and the queue's name.
func (s *source) subscribe(ch *amqp.Channel) (<-chan amqp.Delivery, string, error) {
	c, set := s.cfg, &s.settings
	ex := set.exchange
	if err := ch.ExchangeDeclare(c.ExchangeName, c.ExchangeType, ex.Durable, ex.AutoDelete, ex.Internal, ex.NoWait, nil); err != nil {
		return nil, "", fmt.Errorf("declaring %s exchange %q: %w", c.ExchangeType, c.ExchangeName, err)
	}
	qd := set.queue
	q, err := ch.QueueDeclare(qd.Name, qd.Durable, qd.AutoDelete, qd.Exclusive, qd.NoWait, set.queueArgs)
	if err != nil {
		return nil, "", fmt.Errorf("declaring queue %q: %w", qd.Name, err)
	}
	if err := ch.QueueBind(q.Name, c.RoutingKey, c.ExchangeName, set.bind.NoWait, nil); err != nil {
		return nil, "", fmt.Errorf("binding queue %q to exchange %q with routing key %q: %w", q.Name, c.ExchangeName, c.RoutingKey, err)
	}
	cons := set.consume
	if !cons.AutoAck {
		if err := ch.Qos(prefetch, 0, false); err != nil {
			return nil, "", fmt.Errorf("setting the prefetch count: %w", err)
		}
	}
	d, err := ch.Consume(q.Name, cons.ConsumerTag, cons.AutoAck, cons.Exclusive, cons.NoLocal, cons.NoWait, nil)
	if err != nil {
		return nil, "", fmt.Errorf("consuming queue %q: %w", q.Name, err)
	}
	return d, q.Name, nil
}

// handle emits the event of one delivery, retrying until the bus took it,
// then acknowledges the message; false when ctx ended first (the message is
// then left unacknowledged, and the broker delivers it again).
func (s *source) handle(ctx context.Context, emit eventsource.Emit, d *amqp.Delivery) bool {
	data, err := buildPayload(d, s.cfg.JSONBody, s.cfg.Metadata)
	if err != nil {
		s.reject(d, "invalid body", err)
		return true
	}
	ev := &event.Event{ID: s.eventID(d), DataContentType: event.ContentTypeJSON, Data: data}
	if err := deliver.Emit(ctx, emit, ev, s.env.Logger); err != nil {
		if ctx.Err() != nil {
			return false
		}
		// No retry can publish this event (the bus refused it).
		s.reject(d, "refused by the bus", err)
		return true
	}
	if !s.settings.consume.AutoAck {
		if err := d.Ack(false); err != nil {
			// The channel is gone: the broker delivers the message again.
			s.env.Logger.Warn("amqp message not acknowledged; it will be delivered again", "event_id", ev.ID, "error", err)
		}
	}
	return true
}

// reject counts and logs a message no event can be published for, and
// rejects it without requeueing: the broker dead-letters it when the queue
// has a dead-letter exchange, and drops it otherwise.
func (s *source) reject(d *amqp.Delivery, reason string, err error) {
	n := s.rejected.Add(1)
	s.env.Reject(reason)
	s.env.Logger.Error("amqp message rejected", "reason", reason, "error", err, "message_id", d.MessageId, "routing_key", d.RoutingKey, "rejected_total", n)
	if s.settings.consume.AutoAck {
		return
	}
	if err := d.Reject(false); err != nil {
		s.env.Logger.Warn("amqp message not rejected", "error", err)
	}
}

// eventID derives the event id from the message id, or leaves it empty
// (the envelope then gets a fresh one).
func (s *source) eventID(d *amqp.Delivery) string {
	if d.MessageId == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(s.key + "\x00" + d.MessageId))
	return hex.EncodeToString(sum[:16])
}

// closeReason returns why the channel or the connection closed, when the
// broker said so.
func closeReason(closed ...<-chan *amqp.Error) error {
	for _, c := range closed {
		select {
		case e, ok := <-c:
			if ok && e != nil {
				return e
			}
		default:
		}
	}
	return errors.New("channel or connection closed")
}
