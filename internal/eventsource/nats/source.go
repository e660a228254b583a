// Package nats is the "nats" event source kind: it subscribes to a subject
// of a NATS server (as a member of a queue group when queue is set) and
// publishes every message as an event, as Argo Events' nats source does.
//
// The event data has Argo's shape: {"subject": ..., "body": ..., "header":
// {name: [values]}, "metadata": {...}}. With jsonBody the body is the
// message's JSON document; a message that is not JSON is then rejected
// (logged, counted, not published). Without jsonBody the body is the
// message bytes as a base64 string, as Argo writes them.
//
// Core NATS has no acknowledgement, so delivery is at least once only while
// the process lives: a message the bus cannot take is kept and published
// again, with backoff, until the bus is back, holding up the messages behind
// it. Messages that arrive meanwhile wait in a buffer; when it is full the
// NATS client drops them (a slow consumer), and the source logs and counts
// them. A message sent as a request (with a reply subject) is answered with
// an empty message once its event is on the bus, so a requester that got no
// answer knows to send it again; a message pulled through a JetStream push
// consumer's delivery subject is acknowledged that way too. When a message
// carries a Nats-Msg-Id header, the event id is derived from it, so that a
// message sent twice is published once within the bus's deduplication
// window.
package nats

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	natsgo "github.com/nats-io/nats.go"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/connect"
	"github.com/herald-dev/herald/internal/eventsource/deliver"
)

// KindName is the kind's key under spec in an EventSource.
const KindName = "nats"

// Kind is the nats kind, registered in eventsource.Default.
var Kind = eventsource.Kind{
	Name:    KindName,
	Configs: func(spec *v1alpha1.EventSourceSpec) map[string]any { return eventsource.ConfigsOf(spec.NATS) },
	New: func(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
		return New(env, spec)
	},
	Doc: "Subscribes to a NATS subject and publishes each message as an event.\n\n" +
		"`queue` subscribes as a member of a queue group; `auth` takes one of `basic`, `token`, `nkey` (a Secret holding the NKey " +
		"seed) or `credential` (a Secret holding a `.creds` file); `tls` and `connectionBackoff` are Argo's. The event data has " +
		"Argo's shape, `{\"subject\": \"...\", \"body\": ..., \"header\": {...}, \"metadata\": {...}}`: with `jsonBody` the body is the " +
		"message's JSON and a message that is not JSON is rejected (logged and counted); without it the body is the message bytes " +
		"in base64, as in Argo.\n\n" +
		"Differences from Argo Events: core NATS has no acknowledgement, so a message the bus cannot take is kept and published " +
		"again until the bus is back (Argo drops it); messages arriving meanwhile wait in a buffer of " + bufferText + " messages, beyond " +
		"which the NATS client drops them and Herald logs and counts them. A message sent as a request is answered with an empty " +
		"message once its event is on the bus. A `Nats-Msg-Id` header gives the event its id, so a message sent twice is published once.",
}

func init() { eventsource.Default.Register(Kind) }

// bufferSize is how many received messages wait for the bus.
const (
	bufferSize = 4096
	bufferText = "4096"
)

// unsubscribeWait bounds the wait for the server to confirm an unsubscribe.
const unsubscribeWait = 2 * time.Second

// msgIDHeader is the header NATS publishers use for deduplication.
const msgIDHeader = "Nats-Msg-Id"

// source subscribes to one subject for one event.
type source struct {
	env     eventsource.Env
	spec    eventsource.Spec
	cfg     *v1alpha1.NATSEventsSource
	backoff connect.Backoff
	scope   string // event id scope: namespace/eventsource.event
	url     string // cfg.URL with passwords masked, for logs and errors

	rejected atomic.Uint64 // messages that could not become events
}

var _ eventsource.Source = (*source)(nil)

// New builds the nats source of one event; spec.Config is a
// *v1alpha1.NATSEventsSource (or the value).
func New(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
	return newSource(env, spec)
}

func newSource(env eventsource.Env, spec eventsource.Spec) (*source, error) {
	cfg, err := eventsource.ConfigAs[v1alpha1.NATSEventsSource](spec)
	if err != nil {
		return nil, fmt.Errorf("building nats %s: %w", spec.Name, err)
	}
	switch {
	case cfg.URL == "":
		return nil, fmt.Errorf("building nats %s: url is not set", spec.Name)
	case cfg.Subject == "":
		return nil, fmt.Errorf("building nats %s: subject is not set", spec.Name)
	}
	b, err := connect.ResolveBackoff(cfg.ConnectionBackoff)
	if err != nil {
		return nil, fmt.Errorf("building nats %s: %w", spec.Name, err)
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	var ns, name string
	if es := spec.EventSource; es != nil {
		ns, name = es.Namespace, es.Name
	}
	return &source{env: env, spec: spec, cfg: cfg, backoff: b, scope: ns + "/" + name + "." + spec.Name, url: redact(cfg.URL)}, nil
}

// Start connects, subscribes and publishes messages until ctx ends.
func (s *source) Start(ctx context.Context, emit eventsource.Emit) error {
	opts, err := s.options(ctx)
	if err != nil {
		return fmt.Errorf("connecting to nats %s: %w", s.url, err)
	}
	var nc *natsgo.Conn
	err = connect.Retry(ctx, s.backoff, s.env.Logger.With("url", s.url), func(context.Context) error {
		c, err := natsgo.Connect(s.cfg.URL, opts...)
		if err != nil {
			return err
		}
		nc = c
		return nil
	})
	switch {
	case ctx.Err() != nil:
		return nil
	case err != nil:
		return fmt.Errorf("connecting to nats %s: %w", s.url, err)
	}
	defer nc.Close()
	// Messages wait in msgs; when it is full, the client drops them.
	msgs := make(chan *natsgo.Msg, bufferSize)
	var sub *natsgo.Subscription
	if s.cfg.Queue != nil && *s.cfg.Queue != "" { // an empty queue is a plain subscription, as in Argo
		sub, err = nc.ChanQueueSubscribe(s.cfg.Subject, *s.cfg.Queue, msgs)
	} else {
		sub, err = nc.ChanSubscribe(s.cfg.Subject, msgs)
	}
	if err != nil {
		return fmt.Errorf("subscribing to nats subject %s: %w", s.cfg.Subject, err)
	}
	if err := nc.Flush(); err != nil {
		return fmt.Errorf("subscribing to nats subject %s: %w", s.cfg.Subject, err)
	}
	s.env.Logger.Info("nats source subscribed", "url", nc.ConnectedUrlRedacted(), "subject", s.cfg.Subject)
	for {
		select {
		case <-ctx.Done():
			s.unsubscribe(nc, sub, len(msgs))
			return nil
		case m := <-msgs:
			s.handle(ctx, emit, m)
		}
	}
}

// handle publishes one message, answering it once its event is on the bus.
func (s *source) handle(ctx context.Context, emit eventsource.Emit, m *natsgo.Msg) {
	data, err := buildPayload(m, s.cfg)
	if err != nil {
		n := s.rejected.Add(1)
		s.env.Reject("invalid body")
		s.env.Logger.Error("nats message rejected", "subject", m.Subject, "error", err, "rejected_total", n)
		return
	}
	ev := &event.Event{ID: s.eventID(m), DataContentType: event.ContentTypeJSON, Data: data}
	if err := deliver.Emit(ctx, emit, ev, s.env.Logger); err != nil {
		if ctx.Err() == nil {
			n := s.rejected.Add(1)
			s.env.Reject("refused by the bus")
			s.env.Logger.Error("nats message rejected", "subject", m.Subject, "event_id", ev.ID, "error", err, "rejected_total", n)
		}
		return
	}
	if m.Reply != "" {
		if err := m.Respond(nil); err != nil {
			s.env.Logger.Warn("nats reply not sent", "event_id", ev.ID, "error", err)
		}
	}
}

// eventID is derived from the message's Nats-Msg-Id header when it has one.
func (s *source) eventID(m *natsgo.Msg) string {
	id := ""
	if m.Header != nil {
		id = m.Header.Get(msgIDHeader)
	}
	if id == "" {
		return uuid.NewString()
	}
	sum := sha256.Sum256([]byte(s.scope + "\x00" + id))
	return hex.EncodeToString(sum[:16])
}

// unsubscribe ends the subscription and waits for the server to have
// processed it, so that no message is routed to this connection once Start
// returned; it logs the messages lost: those still waiting in the buffer
// (core NATS cannot hand them back) and those the client dropped.
func (s *source) unsubscribe(nc *natsgo.Conn, sub *natsgo.Subscription, waiting int) {
	if dropped, err := sub.Dropped(); err == nil && dropped > 0 {
		s.env.Logger.Warn("nats messages dropped while the bus was slow", "dropped_total", dropped)
	}
	if err := sub.Unsubscribe(); err != nil && !errors.Is(err, natsgo.ErrConnectionClosed) {
		s.env.Logger.Debug("nats unsubscribe failed", "error", err)
		return
	}
	if err := nc.FlushTimeout(unsubscribeWait); err != nil {
		s.env.Logger.Debug("nats unsubscribe not confirmed", "error", err)
	}
	if waiting > 0 {
		s.env.Logger.Warn("nats source stopped with messages not yet published; core NATS cannot redeliver them", "lost", waiting)
	}
}

// redact masks the passwords of a comma-separated list of server URLs.
func redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		if u, err := url.Parse(strings.TrimSpace(p)); err == nil && u.User != nil {
			parts[i] = u.Redacted()
		}
	}
	return strings.Join(parts, ",")
}
