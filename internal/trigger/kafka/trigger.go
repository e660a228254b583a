// Package kafka is the "kafka" trigger kind: it publishes one Kafka record
// per firing, whose value is built from the payload parameters, as Argo
// Events' kafka trigger does, and reports success only once the broker
// acknowledged the record.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/kafkaclient"
	"github.com/herald-dev/herald/internal/sensor/param"
	"github.com/herald-dev/herald/internal/trigger"
)

// KindName is the kind's key under a trigger's template.
const KindName = "kafka"

// Kind is the "kafka" trigger kind.
var Kind = trigger.Kind{
	Name: KindName,
	New:  New,
	Doc: "Publishes a Kafka record whose value is built from event values.\n\n" +
		"`payload` parameters build the value (the same rules as the http trigger's payload), `parameters` rewrite the trigger's own " +
		"fields (url, topic, partitioningKey, headers) per firing; `partitioningKey` is the record key, `headers` and `secureHeaders` " +
		"(read from Secrets) its headers. `requiredAcks` (1, the default, waits for the leader; -1 for every in-sync replica), " +
		"`compress` (snappy), `flushFrequency` (how long records wait to be batched, in milliseconds), `version`, `tls` and `sasl` " +
		"(PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) are honoured; `schemaRegistry` is not supported.\n\n" +
		"Differences from Argo Events: a firing succeeds only once the broker acknowledged the record (Argo hands it to an asynchronous " +
		"producer and reports success at once), so a broker that is down makes the firing fail and be retried. `flushFrequency` " +
		"defaults to 0 (Argo: 500 ms): each firing waits for its acknowledgement, so lingering would only delay it. Every record carries " +
		"an `X-Herald-Event-Id` header so that a consumer can recognise a redelivery. The deprecated `partition` field is ignored, as in Argo.",
}

func init() { trigger.Default.Register(Kind) }

// HeaderEventID is the record header carrying the firing's event id.
const HeaderEventID = "X-Herald-Event-Id"

// deliveryTimeout bounds how long a record may wait to be acknowledged.
const deliveryTimeout = 60 * time.Second

// Trigger publishes Kafka records. It is safe for concurrent use. Its
// clients are built on first use and closed by Close, or when the Sensor's
// run ends (Env.Background).
type Trigger struct {
	namespace string
	name      string
	spec      *v1alpha1.KafkaTrigger
	payload   *param.Compiled
	params    *param.Compiled
	secrets   trigger.SecretReader
	done      <-chan struct{}
	extra     []kgo.Opt

	mu      sync.Mutex
	clients map[string]*kgo.Client // by url
	closed  bool
	watched bool // a goroutine closes the clients when done closes
}

var _ trigger.Trigger = (*Trigger)(nil)

// Option tunes a kafka trigger.
type Option func(*Trigger)

// WithClientOptions adds franz-go options to the trigger's clients.
func WithClientOptions(opts ...kgo.Opt) Option {
	return func(t *Trigger) { t.extra = append(t.extra, opts...) }
}

// New builds the kafka trigger of t.
func New(env trigger.Env, sensor *v1alpha1.Sensor, t *v1alpha1.Trigger) (trigger.Trigger, error) {
	return NewWith(env, sensor, t)
}

// NewWith is New with options.
func NewWith(env trigger.Env, sensor *v1alpha1.Sensor, t *v1alpha1.Trigger, opts ...Option) (*Trigger, error) {
	if t.Template == nil || t.Template.Kafka == nil {
		return nil, errors.New("building kafka trigger: template has no kafka section")
	}
	spec := t.Template.Kafka
	if err := check(spec); err != nil {
		return nil, fmt.Errorf("building kafka trigger %s: %w", t.Template.Name, err)
	}
	payload, err := param.CompilePayload(spec.Payload)
	if err != nil {
		return nil, fmt.Errorf("building kafka trigger %s: compiling payload: %w", t.Template.Name, err)
	}
	params, err := param.Compile(spec.Parameters)
	if err != nil {
		return nil, fmt.Errorf("building kafka trigger %s: compiling parameters: %w", t.Template.Name, err)
	}
	tr := &Trigger{name: t.Template.Name, spec: spec, payload: payload, params: params, secrets: env.Secrets, clients: map[string]*kgo.Client{}}
	if sensor != nil {
		tr.namespace = sensor.Namespace
	}
	if env.Background != nil {
		tr.done = env.Background.Done
	}
	for _, o := range opts {
		o(tr)
	}
	return tr, nil
}

// check refuses what the trigger cannot run.
func check(spec *v1alpha1.KafkaTrigger) error {
	switch {
	case spec.SchemaRegistry != nil:
		return errors.New("schemaRegistry is not supported")
	case spec.RequiredAcks < -1 || spec.RequiredAcks > 1:
		return fmt.Errorf("requiredAcks %d is not -1, 0 or 1", spec.RequiredAcks)
	case spec.FlushFrequency < 0:
		return errors.New("flushFrequency is negative")
	}
	for _, h := range spec.SecureHeaders {
		if h == nil || h.ValueFrom == nil || h.ValueFrom.SecretKeyRef == nil {
			return fmt.Errorf("secure header %q: only secretKeyRef is supported", headerName(h))
		}
	}
	return nil
}

func headerName(h *v1alpha1.SecureHeader) string {
	if h == nil {
		return ""
	}
	return h.Name
}

// Execute publishes the record of one firing and waits for the broker's
// acknowledgement. A payload or parameter that does not resolve, a setup
// that cannot work (TLS, SASL, version) or an error the broker says no
// retry fixes (a record too large, a topic not authorised) is terminal;
// the rest (a broker down, a timeout, a Secret not readable yet) is
// transient.
func (t *Trigger) Execute(ctx context.Context, req *trigger.Request) (trigger.Result, error) {
	spec, value, err := t.resolve(req)
	if err != nil {
		return trigger.Result{}, trigger.Terminal(fmt.Errorf("preparing kafka record: %w", err))
	}
	ref := "kafka " + spec.Topic
	rec := &kgo.Record{Topic: spec.Topic, Value: value}
	if spec.PartitioningKey != nil {
		rec.Key = []byte(*spec.PartitioningKey)
	}
	if rec.Headers, err = t.headers(ctx, spec, req.EventID); err != nil {
		return trigger.Result{Ref: ref}, err
	}
	cl, err := t.client(ctx, spec.URL)
	if err != nil {
		return trigger.Result{Ref: ref}, err
	}
	if err := cl.ProduceSync(ctx, rec).FirstErr(); err != nil {
		err = fmt.Errorf("publishing to kafka topic %s: %w", spec.Topic, err)
		if permanent(err) {
			return trigger.Result{Ref: ref}, trigger.Terminal(err)
		}
		return trigger.Result{Ref: ref}, err
	}
	return trigger.Result{Ref: fmt.Sprintf("%s partition %d offset %d", ref, rec.Partition, rec.Offset)}, nil
}

// permanent reports whether the broker's answer says no retry can help.
func permanent(err error) bool {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return !ke.Retriable
	}
	return false
}

// resolve returns the request's kafka section with its own parameters
// applied, and the record's value.
func (t *Trigger) resolve(req *trigger.Request) (*v1alpha1.KafkaTrigger, []byte, error) {
	spec, payload, params := t.spec, t.payload, t.params
	if req.Trigger != nil && req.Trigger.Template != nil && req.Trigger.Template.Kafka != nil &&
		req.Trigger.Template.Kafka != t.spec {
		spec = req.Trigger.Template.Kafka
		var err error
		if payload, err = param.CompilePayload(spec.Payload); err != nil {
			return nil, nil, fmt.Errorf("compiling payload: %w", err)
		}
		if params, err = param.Compile(spec.Parameters); err != nil {
			return nil, nil, fmt.Errorf("compiling parameters: %w", err)
		}
	}
	spec, err := trigger.ApplyParams(spec, params, req.Events, "kafka trigger")
	if err != nil {
		return nil, nil, err
	}
	if spec.Topic == "" {
		return nil, nil, errors.New("no topic")
	}
	value, err := payload.Payload(req.Events)
	if err != nil {
		return nil, nil, fmt.Errorf("building payload: %w", err)
	}
	if value == nil {
		value = []byte("{}")
	}
	return spec, value, nil
}

// headers returns the record's headers: the event id, the plain headers and
// the secure ones (read from Secrets at each firing), sorted by name.
func (t *Trigger) headers(ctx context.Context, spec *v1alpha1.KafkaTrigger, eventID string) ([]kgo.RecordHeader, error) {
	values := map[string]string{}
	if eventID != "" {
		values[HeaderEventID] = eventID
	}
	maps.Copy(values, spec.Headers)
	for _, h := range spec.SecureHeaders {
		if h == nil || h.ValueFrom == nil || h.ValueFrom.SecretKeyRef == nil {
			return nil, trigger.Terminal(fmt.Errorf("reading secure header %q: only secretKeyRef is supported", headerName(h)))
		}
		v, err := t.secrets.Read(ctx, t.namespace, h.ValueFrom.SecretKeyRef)
		if err != nil {
			return nil, fmt.Errorf("reading secure header %q: %w", h.Name, err)
		}
		values[h.Name] = string(v)
	}
	out := make([]kgo.RecordHeader, 0, len(values))
	for _, name := range slices.Sorted(maps.Keys(values)) {
		out = append(out, kgo.RecordHeader{Key: name, Value: []byte(values[name])})
	}
	return out, nil
}

// trimmed drops blanks around a broker list so that equal lists share a
// client.
func trimmed(url string) string { return strings.Join(kafkaclient.Brokers(url), ",") }
