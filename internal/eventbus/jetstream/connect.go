// Package jetstream is Herald's event bus on NATS JetStream: one stream per
// bus holding every event under <prefix>.<eventsource>.<event>, asynchronous
// deduplicated publishing with a bounded number of acks in flight, durable
// pull consumers feeding a bounded pool of handlers, and a small KeyValue
// helper. It can also run the NATS server inside the process (Embedded).
// It is the only package of Herald that imports nats.go and nats-server.
package jetstream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	neturl "net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/herald-dev/herald/internal/eventbus"
)

// Bus is an event bus on a JetStream stream. It is safe for concurrent use.
type Bus struct {
	opts     Options
	log      *slog.Logger
	nc       *nats.Conn
	js       jetstream.JetStream
	subjects subjects
	stream   string

	// slots bounds the publishes awaiting an ack.
	slots chan struct{}

	// mu guards closed; work counts Publish and Subscribe calls running, so
	// Close can wait for them.
	mu     sync.RWMutex
	closed bool
	work   sync.WaitGroup
	// stop ends subscriptions when the bus closes.
	stop     context.Context
	stopAll  context.CancelFunc
	connDone chan struct{}

	// repairing is set while the stream is being recreated after it vanished.
	repairing atomic.Bool

	stats counters
	// backlog refuses publishes while a subscription is so far behind
	// that the stream's limits would drop what it has not acknowledged.
	backlog backlog
	// storeFault is the embedded server's store write error (storefault.go).
	storeFault atomic.Pointer[error]
}

var _ eventbus.Bus = (*Bus)(nil)

// Connect connects to the servers in opts, creates the bus's stream or
// updates its configuration, and returns the bus. It fails, wrapping
// eventbus.ErrUnavailable, when no server answers before ctx ends.
func Connect(ctx context.Context, opts Options) (*Bus, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("configuring the JetStream bus: %w", err)
	}
	b := &Bus{
		opts:     o,
		log:      o.Logger.With("stream", o.Stream.Name),
		subjects: subjects{prefix: o.Stream.SubjectPrefix},
		stream:   o.Stream.Name,
		slots:    make(chan struct{}, o.MaxInFlight),
		connDone: make(chan struct{}),
	}
	b.stop, b.stopAll = context.WithCancel(context.Background())
	natsOpts, err := b.natsOptions(ctx)
	if err != nil {
		b.stopAll()
		return nil, err
	}
	b.nc, err = nats.Connect(strings.Join(o.URLs, ","), natsOpts...)
	if err != nil {
		b.stopAll()
		return nil, fmt.Errorf("connecting to NATS at %s: %w: %w", redacted(o.URLs), eventbus.ErrUnavailable, err)
	}
	b.js, err = jetstream.New(b.nc,
		// The library's own bound only backs ours up: a publish whose caller
		// gave up keeps its future until the ack or the timeout.
		jetstream.WithPublishAsyncMaxPending(2*o.MaxInFlight),
		jetstream.WithPublishAsyncTimeout(o.PublishTimeout),
	)
	if err == nil {
		err = b.awaitStream(ctx)
	}
	if err != nil {
		b.stopAll()
		b.nc.Close()
		return nil, err
	}
	if o.BacklogCheck > 0 {
		b.work.Go(b.watchBacklog)
	}
	url := b.nc.ConnectedUrlRedacted()
	if o.InProcess != nil {
		url = "in-process"
	}
	b.log.Info("event bus connected", "url", url, "subject", b.subjects.all())
	return b, nil
}

// natsOptions turns Options into the client's options.
func (b *Bus) natsOptions(ctx context.Context) ([]nats.Option, error) {
	o := b.opts
	timeout := 5 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(dl), 10*time.Millisecond)
	}
	name := o.Name
	if name == "" {
		name = "herald"
	}
	opts := []nats.Option{
		nats.Name(name),
		nats.Timeout(timeout),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(o.ReconnectWait),
		// No buffering while disconnected: a publish then fails at once with
		// ErrUnavailable instead of waiting for a reconnection.
		nats.ReconnectBufSize(-1),
		nats.DrainTimeout(30 * time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				b.log.Warn("event bus disconnected", "error", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("event bus reconnected", "url", nc.ConnectedUrlRedacted())
		}),
		nats.ClosedHandler(func(*nats.Conn) { close(b.connDone) }),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			b.log.Warn("event bus asynchronous error", "subject", subject, "error", err)
		}),
	}
	if o.InProcess != nil {
		opts = append(opts, nats.InProcessServer(o.InProcess))
	}
	if o.TLS != nil {
		cfg, err := tlsConfig(o.TLS)
		if err != nil {
			return nil, err
		}
		opts = append(opts, nats.Secure(cfg))
	}
	a := o.Auth
	switch {
	case a.User != "" || a.Password != "":
		opts = append(opts, nats.UserInfo(a.User, a.Password))
	case a.Token != "":
		opts = append(opts, nats.Token(a.Token))
	case a.CredsFile != "":
		opts = append(opts, nats.UserCredentials(a.CredsFile))
	case a.NKeySeedFile != "":
		opt, err := nats.NkeyOptionFromSeed(a.NKeySeedFile)
		if err != nil {
			return nil, fmt.Errorf("reading the nkey seed %s: %w", a.NKeySeedFile, err)
		}
		opts = append(opts, opt)
	}
	return opts, nil
}

// redacted lists urls without their passwords, for errors and logs.
func redacted(urls []string) string {
	out := make([]string, len(urls))
	for i, s := range urls {
		out[i] = s
		if u, err := neturl.Parse(s); err == nil {
			out[i] = u.Redacted()
		}
	}
	return strings.Join(out, ",")
}

// tlsConfig loads the files of t.
func tlsConfig(t *TLSOptions) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.InsecureSkipVerify} //nolint:gosec // opt-in, documented as test only
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the TLS CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("reading the TLS CA file %s: no PEM certificate in it", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading the TLS client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// streamConfig is the stream the options ask for.
func (b *Bus) streamConfig() jetstream.StreamConfig {
	s := b.opts.Stream
	storage := jetstream.FileStorage
	if s.Storage == StorageMemory {
		storage = jetstream.MemoryStorage
	}
	return jetstream.StreamConfig{
		Name:        s.Name,
		Description: "Herald events",
		Subjects:    []string{b.subjects.all()},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      s.MaxAge,
		MaxBytes:    s.MaxBytes,
		MaxMsgs:     s.MaxMsgs,
		Replicas:    s.Replicas,
		Storage:     storage,
		Duplicates:  s.DuplicatesWindow,
	}
}

// ensureStream creates the stream or brings its configuration up to date.
func (b *Bus) ensureStream(ctx context.Context) error {
	if _, err := b.js.CreateOrUpdateStream(ctx, b.streamConfig()); err != nil {
		err = fmt.Errorf("creating or updating stream %s: %w", b.stream, err)
		if !isPermanent(err) {
			err = fmt.Errorf("%w: %w", eventbus.ErrUnavailable, err)
		}
		return err
	}
	return nil
}

// repairStream recreates the stream in the background after publishes found
// nobody listening on its subjects (it was deleted, or the server lost its
// store). One repair runs at a time.
func (b *Bus) repairStream() {
	if !b.repairing.CompareAndSwap(false, true) {
		return
	}
	b.work.Add(1)
	go func() {
		defer b.work.Done()
		defer b.repairing.Store(false)
		ctx, cancel := context.WithTimeout(b.stop, b.opts.PublishTimeout)
		defer cancel()
		if err := b.ensureStream(ctx); err != nil {
			b.log.Warn("event bus stream repair failed", "error", err)
			return
		}
		b.log.Info("event bus stream recreated")
	}()
}

// isPermanent reports whether err is a refusal by the server that trying
// again will not change (a bad configuration, a too large message), as
// opposed to unavailability.
func isPermanent(err error) bool {
	if errors.Is(err, nats.ErrMaxPayload) || errors.Is(err, nats.ErrBadSubject) {
		return true
	}
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.Code >= 400 && apiErr.Code < 500 && apiErr.Code != 408
}

// enter registers a Publish or Subscribe call; it fails once the bus is
// closed.
func (b *Bus) enter() error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return eventbus.ErrClosed
	}
	b.work.Add(1)
	return nil
}

// isClosed reports whether Close was called.
func (b *Bus) isClosed() bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.closed
}

// LocalFiles reports whether the bus is a server in this process, alone
// (streams of one replica), keeping its streams in files: then what this
// process keeps beside the bus in its own files is as durable and as
// shared as what it keeps on the bus.
func (b *Bus) LocalFiles() bool {
	return b.opts.InProcess != nil && b.opts.Stream.Replicas <= 1 && b.opts.Stream.Storage != StorageMemory
}

// Close stops taking publishes and subscriptions, ends running
// subscriptions, waits for publishes awaiting their ack, then drains and
// closes the connection. When ctx ends first the connection is closed at
// once and ctx's error returned. Closing twice is a no-op.
func (b *Bus) Close(ctx context.Context) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	b.stopAll()

	idle := make(chan struct{})
	go func() {
		b.work.Wait()
		close(idle)
	}()
	select {
	case <-idle:
	case <-ctx.Done():
		b.nc.Close()
		return fmt.Errorf("closing the event bus: waiting for publishes and subscriptions: %w", ctx.Err())
	}
	if err := b.nc.Drain(); err != nil {
		// Not connected: there is nothing to flush.
		b.log.Debug("event bus not drained", "error", err)
		b.nc.Close()
	}
	select {
	case <-b.connDone:
	case <-ctx.Done():
		b.nc.Close()
		return fmt.Errorf("closing the event bus: draining: %w", ctx.Err())
	}
	b.log.Info("event bus closed")
	return nil
}
