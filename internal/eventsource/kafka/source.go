// Package kafka is the "kafka" event source kind: it consumes a Kafka topic,
// through a consumer group or from one partition, and turns every record
// into an event, as Argo Events' kafka source does, with at-least-once
// delivery.
//
// The event data has Argo's shape: {"topic", "key", "partition", "body",
// "timestamp", "headers", "metadata"}. The body is the record's value
// embedded as JSON with jsonBody, else its bytes (base64 in JSON, as in
// Argo). A record whose value is not JSON while jsonBody is set is rejected:
// logged, counted and skipped (its offset is committed), never retried.
//
// Offsets are committed only after the bus has acknowledged the events of
// the records before them; a failed publish is retried, with backoff, until
// it succeeds or the source stops. A record consumed but not committed is
// consumed again after a restart, with the same event id (derived from the
// EventSource, the event, the topic, the partition and the offset), so the
// bus drops it when it had already been stored. Without a consumer group,
// the next offset of the partition is kept in Herald's state store instead
// of Kafka, so a restarted source resumes there too.
package kafka

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/kafkaclient"
)

// KindName is the kind's key under spec in an EventSource.
const KindName = "kafka"

// Kind is the kafka kind, registered in eventsource.Default.
var Kind = eventsource.Kind{
	Name:    KindName,
	Configs: func(spec *v1alpha1.EventSourceSpec) map[string]any { return eventsource.ConfigsOf(spec.Kafka) },
	New: func(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
		return New(env, spec)
	},
	Doc: "Consumes a Kafka topic, through a consumer group or from one partition, and publishes each record as an event.\n\n" +
		"The event data has Argo's shape, `{\"topic\", \"key\", \"partition\", \"body\", \"timestamp\", \"headers\", \"metadata\"}`: " +
		"the body is the record's value embedded as JSON with `jsonBody`, else its bytes (base64). `consumerGroup` (`groupName`, " +
		"`oldest`, `rebalanceStrategy` range, roundrobin or sticky), `tls`, `sasl` (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), `version`, " +
		"`limitEventsPerSecond` and `connectionBackoff` are honoured; `config`, `schemaRegistry`, `awsMskIamAuth` and the SASL " +
		"mechanisms OAUTHBEARER and GSSAPI are not supported.\n\n" +
		"Differences from Argo Events: offsets are committed only once the bus has stored the events (Argo marks them before), and a " +
		"failed publish is retried, so nothing is lost across restarts; the event id is derived from the topic, partition and offset, " +
		"so a record consumed twice is dropped by the bus. Without a consumer group, the partition's next offset is kept in Herald's " +
		"state store, so a restarted source resumes where it stopped (Argo starts at the newest record). A record that is not JSON " +
		"while `jsonBody` is set is logged, counted and skipped instead of blocking the partition.",
}

func init() { eventsource.Default.Register(Kind) }

const (
	// commitTimeout bounds a commit made while the source stops.
	commitTimeout = 10 * time.Second
	// pollSize is the most records handled between two commits.
	pollSize = 500
)

// Option tunes a kafka source.
type Option func(*source)

// WithClientOptions adds franz-go options to the client (tests shorten
// timeouts with them).
func WithClientOptions(opts ...kgo.Opt) Option {
	return func(s *source) { s.extra = append(s.extra, opts...) }
}

// source consumes one kafka event.
type source struct {
	env   eventsource.Env
	spec  eventsource.Spec
	cfg   *v1alpha1.KafkaEventSource
	key   string // event id scope and state key prefix
	extra []kgo.Opt
	// partition is the partition read without a consumer group.
	partition int32
	// rejected counts records dropped because their value could not be
	// turned into event data.
	rejected atomic.Uint64
}

var _ eventsource.Source = (*source)(nil)

// New builds the kafka source of one event; spec.Config is a
// *v1alpha1.KafkaEventSource (or the value).
func New(env eventsource.Env, spec eventsource.Spec, opts ...Option) (eventsource.Source, error) {
	cfg, err := eventsource.ConfigAs[v1alpha1.KafkaEventSource](spec)
	if err != nil {
		return nil, fmt.Errorf("building kafka %s: %w", spec.Name, err)
	}
	if err := check(cfg); err != nil {
		return nil, fmt.Errorf("building kafka %s: %w", spec.Name, err)
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	s := &source{env: env, spec: spec, cfg: cfg, key: scope(spec)}
	if cfg.ConsumerGroup == nil {
		p, _ := strconv.ParseInt(cfg.Partition, 10, 32) // checked by check
		s.partition = int32(p)
	}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// check refuses what the source cannot run.
func check(cfg *v1alpha1.KafkaEventSource) error {
	switch {
	case len(kafkaclient.Brokers(cfg.URL)) == 0:
		return errors.New("url lists no broker")
	case cfg.Topic == "":
		return errors.New("no topic")
	case cfg.Config != "":
		return errors.New("config (Sarama settings) is not supported")
	case cfg.SchemaRegistry != nil:
		return errors.New("schemaRegistry is not supported")
	case cfg.AWSMSKIAMAuth != nil:
		return errors.New("awsMskIamAuth is not supported")
	}
	if cfg.ConsumerGroup != nil {
		if cfg.ConsumerGroup.GroupName == "" {
			return errors.New("consumerGroup.groupName is empty")
		}
		return nil
	}
	if _, err := strconv.ParseInt(cfg.Partition, 10, 32); err != nil {
		return fmt.Errorf("partition %q is not a partition number (set it, or a consumerGroup)", cfg.Partition)
	}
	return nil
}

// scope is "<namespace>/<eventsource>.<event>", the prefix of event ids and
// state keys.
func scope(spec eventsource.Spec) string {
	var ns, name string
	if es := spec.EventSource; es != nil {
		ns, name = es.Namespace, es.Name
	}
	return ns + "/" + name + "." + spec.Name
}

// Rejected returns how many records were skipped because their value could
// not be turned into event data (not JSON with jsonBody).
func (s *source) Rejected() uint64 { return s.rejected.Load() }

// Start consumes until ctx ends.
func (s *source) Start(ctx context.Context, emit eventsource.Emit) error {
	cl, err := s.connect(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer cl.Close()
	s.env.Logger.Info("kafka consumer ready", "topic", s.cfg.Topic, "group", s.groupName(), "partition", s.cfg.Partition)
	if s.cfg.ConsumerGroup != nil {
		return s.consumeGroup(ctx, cl, emit)
	}
	return s.consumePartition(ctx, cl, emit)
}

func (s *source) groupName() string {
	if s.cfg.ConsumerGroup == nil {
		return ""
	}
	return s.cfg.ConsumerGroup.GroupName
}

// secret reads a Secret key of the EventSource's namespace.
func (s *source) secret(ctx context.Context, sel *corev1.SecretKeySelector) ([]byte, error) {
	return s.env.ReadSecret(ctx, sel)
}

// eventID derives the id of the record at offset of partition.
func (s *source) eventID(partition int32, offset int64) string {
	sum := sha256.Sum256([]byte(s.key + "\x00" + s.cfg.Topic + "\x00" + strconv.Itoa(int(partition)) + "\x00" + strconv.FormatInt(offset, 10)))
	return hex.EncodeToString(sum[:16])
}
