// Package mqtt is the "mqtt" event source kind: it subscribes to a topic of
// an MQTT broker and publishes every message as an event, as Argo Events'
// mqtt source does, with Herald's durability.
//
// The event data has Argo's shape: {"topic": ..., "messageId": ..., "body":
// ..., "metadata": {...}}. With jsonBody the body is the message's JSON
// document; a message that is not JSON is then rejected (logged, counted,
// acknowledged so the broker does not send it again), and so is a message
// whose event the bus refuses for good (not a passing outage). Without
// jsonBody the body is the message bytes as a base64 string, as Argo writes
// them.
//
// The source subscribes with QoS 1 in a persistent session (clean session
// off, under clientId), and acknowledges a message only once its event is on
// the bus: a message the bus cannot take is kept and published again until
// it goes through; one still unacknowledged when the source stops, and those
// sent while it is stopped, are delivered again by the broker when the
// source comes back with the same clientId. Argo subscribes with QoS 0 in a
// clean session and unsubscribes when it stops; Herald keeps the
// subscription, so that nothing is lost across a restart.
package mqtt

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/google/uuid"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/connect"
	"github.com/herald-dev/herald/internal/eventsource/deliver"
)

// KindName is the kind's key under spec in an EventSource.
const KindName = "mqtt"

// Kind is the mqtt kind, registered in eventsource.Default.
var Kind = eventsource.Kind{
	Name:    KindName,
	Configs: func(spec *v1alpha1.EventSourceSpec) map[string]any { return eventsource.ConfigsOf(spec.MQTT) },
	New: func(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
		return New(env, spec)
	},
	Doc: "Subscribes to an MQTT topic and publishes each message as an event.\n\n" +
		"`url` is the broker (`tcp://`, `ssl://`, `ws://`, ...), `clientId` the client's id; `auth` (username and password), `tls` " +
		"and `connectionBackoff` are Argo's. The event data has Argo's shape, `{\"topic\": \"...\", \"messageId\": 1, \"body\": ..., " +
		"\"metadata\": {...}}`: with `jsonBody` the body is the message's JSON and a message that is not JSON is rejected (logged, " +
		"counted and acknowledged); without it the body is the message bytes in base64, as in Argo.\n\n" +
		"Differences from Argo Events: Herald subscribes with QoS 1 in a persistent session under `clientId` and acknowledges a " +
		"message only once its event is on the bus, retrying while the bus is down. It does not unsubscribe when it stops, so the " +
		"broker keeps the messages sent meanwhile, and those not yet acknowledged, and delivers them when the source is back " +
		"(Argo subscribes with QoS 0 in a clean session). Two sources must not share a `clientId`.",
}

func init() { eventsource.Default.Register(Kind) }

// Timeouts of the client.
const (
	connectTimeout = 10 * time.Second
	subscribeWait  = 10 * time.Second
	// disconnectQuiesce is how long Disconnect lets pending work finish.
	disconnectQuiesce = 250 // milliseconds
)

// qos is the subscription's quality of service: at least once.
const qos = 1

// source subscribes to one topic for one event.
type source struct {
	env     eventsource.Env
	spec    eventsource.Spec
	cfg     *v1alpha1.MQTTEventSource
	backoff connect.Backoff
	url     string // cfg.URL with its password masked, for logs and errors

	rejected atomic.Uint64 // messages that could not become events
}

var _ eventsource.Source = (*source)(nil)

// New builds the mqtt source of one event; spec.Config is a
// *v1alpha1.MQTTEventSource (or the value).
func New(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
	return newSource(env, spec)
}

func newSource(env eventsource.Env, spec eventsource.Spec) (*source, error) {
	cfg, err := eventsource.ConfigAs[v1alpha1.MQTTEventSource](spec)
	if err != nil {
		return nil, fmt.Errorf("building mqtt %s: %w", spec.Name, err)
	}
	switch {
	case cfg.URL == "":
		return nil, fmt.Errorf("building mqtt %s: url is not set", spec.Name)
	case cfg.Topic == "":
		return nil, fmt.Errorf("building mqtt %s: topic is not set", spec.Name)
	case cfg.ClientID == "":
		return nil, fmt.Errorf("building mqtt %s: clientId is not set", spec.Name)
	}
	b, err := connect.ResolveBackoff(cfg.ConnectionBackoff)
	if err != nil {
		return nil, fmt.Errorf("building mqtt %s: %w", spec.Name, err)
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	shown := cfg.URL
	if u, err := url.Parse(cfg.URL); err == nil {
		shown = u.Redacted()
	}
	return &source{env: env, spec: spec, cfg: cfg, backoff: b, url: shown}, nil
}

// Start connects, subscribes and publishes messages until ctx ends.
func (s *source) Start(ctx context.Context, emit eventsource.Emit) error {
	q := newQueue()
	subscribed := make(chan error, 1)
	opts, err := s.options(ctx, q, subscribed)
	if err != nil {
		return fmt.Errorf("connecting to mqtt %s: %w", s.url, err)
	}
	client := paho.NewClient(opts)
	err = connect.Retry(ctx, s.backoff, s.env.Logger.With("url", s.url), func(context.Context) error {
		tok := client.Connect()
		tok.Wait()
		return tok.Error()
	})
	switch {
	case ctx.Err() != nil:
		client.Disconnect(disconnectQuiesce)
		return nil
	case err != nil:
		return fmt.Errorf("connecting to mqtt %s: %w", s.url, err)
	}
	defer client.Disconnect(disconnectQuiesce)
	select {
	case <-ctx.Done():
		return nil
	case err := <-subscribed:
		if err != nil {
			return fmt.Errorf("subscribing to mqtt topic %s: %w", s.cfg.Topic, err)
		}
	}
	s.env.Logger.Info("mqtt source subscribed", "url", s.url, "topic", s.cfg.Topic)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-q.ready:
		}
		for m := q.pop(); m != nil; m = q.pop() {
			if !s.handle(ctx, emit, m) {
				return nil
			}
		}
	}
}

// handle publishes one message and acknowledges it once its event is on
// the bus; false when ctx ended first (the message stays unacknowledged, for
// the broker to send again).
func (s *source) handle(ctx context.Context, emit eventsource.Emit, m paho.Message) bool {
	data, err := buildPayload(m, s.cfg)
	if err != nil {
		n := s.rejected.Add(1)
		s.env.Reject("invalid body")
		s.env.Logger.Error("mqtt message rejected", "topic", m.Topic(), "error", err, "rejected_total", n)
		m.Ack()
		return true
	}
	ev := &event.Event{ID: uuid.NewString(), DataContentType: event.ContentTypeJSON, Data: data}
	if err := deliver.Emit(ctx, emit, ev, s.env.Logger); err != nil {
		if ctx.Err() != nil {
			return false
		}
		n := s.rejected.Add(1)
		s.env.Reject("refused by the bus")
		s.env.Logger.Error("mqtt message rejected", "topic", m.Topic(), "event_id", ev.ID, "error", err, "rejected_total", n)
	}
	m.Ack()
	return true
}
