package jetstream

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Defaults applied by Connect to zero fields of Options.
const (
	DefaultStreamName       = "herald"
	DefaultSubjectPrefix    = "herald"
	DefaultMaxAge           = 72 * time.Hour
	DefaultMaxMsgs          = 1_000_000
	DefaultDuplicatesWindow = 2 * time.Minute
	DefaultMaxInFlight      = 4096
	DefaultPublishTimeout   = 5 * time.Second
	DefaultReconnectWait    = time.Second
	DefaultAckWait          = 30 * time.Second
	DefaultMaxAckPending    = 1024
	DefaultHandlerWorkers   = 32
	DefaultPullBatch        = 256
	DefaultBacklogCheck     = time.Second
)

// Storage is where the stream keeps its messages.
type Storage string

// Storage kinds.
const (
	StorageFile   Storage = "file"
	StorageMemory Storage = "memory"
)

// Options configure Connect. Exactly one of URLs and InProcess is set.
type Options struct {
	// URLs are the servers of an external NATS cluster, e.g.
	// nats://nats-0.nats:4222. The client picks a live one and moves to
	// another when it fails.
	URLs []string
	// InProcess connects to a server running in this process without a
	// socket; an *Embedded satisfies it.
	InProcess InProcessConnProvider
	// Name is the client connection's name as the server shows it.
	Name string
	// TLS, when set, secures the connection.
	TLS *TLSOptions
	// Auth holds the client credentials; the zero value connects anonymously.
	Auth AuthOptions
	// Stream configures the one stream holding every event of this bus.
	Stream StreamOptions
	// MaxInFlight bounds the publishes awaiting their ack at once; further
	// Publish calls wait for a slot (0: DefaultMaxInFlight).
	MaxInFlight int
	// PublishTimeout bounds a Publish from the moment it is called to its ack
	// (0: DefaultPublishTimeout).
	PublishTimeout time.Duration
	// ReconnectWait is the pause between reconnection attempts to one server
	// (0: DefaultReconnectWait).
	ReconnectWait time.Duration
	// HandlerWorkers bounds the handlers one Subscribe runs at once
	// (0: DefaultHandlerWorkers; never more than the subscription's
	// MaxAckPending).
	HandlerWorkers int
	// PullBatch is how many messages a subscription asks the server for
	// at a time, ahead of its handlers (0: DefaultPullBatch; never fewer
	// than HandlerWorkers nor more than the subscription's MaxAckPending).
	// Handlers still receive the messages in stream order.
	PullBatch int
	// BacklogCheck is how often the backlog guard compares this process's
	// subscriptions with the stream's limits, and looks for a write error
	// of the embedded server's store (0: DefaultBacklogCheck; negative:
	// never, and the stream drops the oldest events when full, acknowledged
	// or not). See backlog.go and storefault.go.
	BacklogCheck time.Duration
	// ClusterWait is how long Connect, KeyValue and Journal keep trying to
	// create their stream while the servers of a cluster are still electing
	// their meta leader, this one has not caught up with it yet, or too few
	// are up for the stream's replicas (0: one try).
	ClusterWait time.Duration
	// DeliverAll makes a durable consumer created for the first time start at
	// the stream's oldest event. By default it starts with events published
	// after its creation, as Argo Events' sensors do. An existing durable
	// always resumes where it stopped.
	DeliverAll bool
	// DeliverSince makes a durable consumer created for the first time start
	// with the events stored since that time (the process's start, say), so
	// subscribers started together with the publishers miss none of their
	// events, however the two race. Ignored when DeliverAll is set.
	DeliverSince time.Time
	// Logger receives the bus's logs (nil: discarded).
	Logger *slog.Logger
}

// TLSOptions are the files and switches of a TLS connection.
type TLSOptions struct {
	// CAFile is a PEM bundle of the authorities that sign the server's
	// certificate ("" uses the system pool).
	CAFile string
	// CertFile and KeyFile are the client's certificate and key, for mutual
	// TLS; both or neither.
	CertFile string
	KeyFile  string
	// InsecureSkipVerify accepts any server certificate. For tests only.
	InsecureSkipVerify bool
}

// AuthOptions are client credentials; set at most one of user/password,
// token, nkey seed file and credentials file.
type AuthOptions struct {
	User     string
	Password string
	Token    string
	// NKeySeedFile holds an nkey seed (SU...).
	NKeySeedFile string
	// CredsFile is a decentralised-auth credentials file (JWT and seed).
	CredsFile string
}

// StreamOptions configure the bus's stream. Limits at zero take the defaults
// given; a negative MaxBytes or MaxMsgs means unlimited.
type StreamOptions struct {
	// Name is the stream's name (DefaultStreamName).
	Name string
	// SubjectPrefix starts every subject of the bus: events go to
	// <prefix>.<eventsource>.<event> (DefaultSubjectPrefix).
	SubjectPrefix string
	// MaxAge drops events older than this (DefaultMaxAge).
	MaxAge time.Duration
	// MaxBytes bounds the stream's size (unlimited by default).
	MaxBytes int64
	// MaxMsgs bounds the number of stored events (DefaultMaxMsgs).
	MaxMsgs int64
	// Replicas is the number of copies in a cluster (1).
	Replicas int
	// Storage is file (default) or memory.
	Storage Storage
	// DuplicatesWindow is how long an event id is remembered to drop
	// re-publishes of it (DefaultDuplicatesWindow).
	DuplicatesWindow time.Duration
}

// withDefaults returns o with defaults filled in, or an error naming the
// first invalid field.
func (o Options) withDefaults() (Options, error) {
	if len(o.URLs) == 0 && o.InProcess == nil {
		return o, errors.New("neither server URLs nor an in-process server given")
	}
	if len(o.URLs) > 0 && o.InProcess != nil {
		return o, errors.New("both server URLs and an in-process server given")
	}
	if err := o.Auth.validate(); err != nil {
		return o, err
	}
	if o.TLS != nil && (o.TLS.CertFile == "") != (o.TLS.KeyFile == "") {
		return o, errors.New("tls: a client certificate needs both certFile and keyFile")
	}
	s := &o.Stream
	if s.Name == "" {
		s.Name = DefaultStreamName
	}
	if err := validName(s.Name); err != nil {
		return o, fmt.Errorf("stream name: %w", err)
	}
	if s.SubjectPrefix == "" {
		s.SubjectPrefix = DefaultSubjectPrefix
	}
	if err := validPrefix(s.SubjectPrefix); err != nil {
		return o, err
	}
	s.MaxAge = orDefault(s.MaxAge, DefaultMaxAge)
	s.DuplicatesWindow = orDefault(s.DuplicatesWindow, DefaultDuplicatesWindow)
	if s.MaxAge < 0 || s.DuplicatesWindow < 0 {
		return o, errors.New("stream: maxAge and duplicates window must not be negative")
	}
	if s.MaxAge < s.DuplicatesWindow {
		s.DuplicatesWindow = s.MaxAge
	}
	if s.MaxBytes == 0 {
		s.MaxBytes = -1
	}
	s.MaxMsgs = orDefault(s.MaxMsgs, DefaultMaxMsgs)
	s.Replicas = orDefault(s.Replicas, 1)
	if s.Replicas < 1 || s.Replicas > 5 {
		return o, fmt.Errorf("stream: replicas %d not in 1..5", s.Replicas)
	}
	switch s.Storage {
	case "":
		s.Storage = StorageFile
	case StorageFile, StorageMemory:
	default:
		return o, fmt.Errorf("stream: storage %q is neither file nor memory", s.Storage)
	}
	o.MaxInFlight = orDefault(o.MaxInFlight, DefaultMaxInFlight)
	o.PublishTimeout = orDefault(o.PublishTimeout, DefaultPublishTimeout)
	o.ReconnectWait = orDefault(o.ReconnectWait, DefaultReconnectWait)
	o.HandlerWorkers = orDefault(o.HandlerWorkers, DefaultHandlerWorkers)
	o.PullBatch = orDefault(o.PullBatch, DefaultPullBatch)
	o.BacklogCheck = orDefault(o.BacklogCheck, DefaultBacklogCheck)
	if o.ClusterWait < 0 {
		return o, errors.New("clusterWait must not be negative")
	}
	if o.MaxInFlight < 0 || o.PublishTimeout < 0 || o.ReconnectWait < 0 || o.HandlerWorkers < 0 || o.PullBatch < 0 {
		return o, errors.New("maxInFlight, publishTimeout, reconnectWait, handlerWorkers and pullBatch must not be negative")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

func (a AuthOptions) validate() error {
	n := 0
	for _, set := range []bool{a.User != "" || a.Password != "", a.Token != "", a.NKeySeedFile != "", a.CredsFile != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return errors.New("auth: set only one of user/password, token, nkey seed file and credentials file")
	}
	return nil
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}
