package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// InProcessConnProvider hands out connections to a server running in this
// process; *Embedded implements it.
type InProcessConnProvider interface {
	InProcessConn() (net.Conn, error)
}

// EmbeddedOptions configure StartEmbedded.
type EmbeddedOptions struct {
	// DataDir holds the JetStream file store. A server started again on the
	// same folder finds the streams, consumers and buckets it had.
	DataDir string
	// Listen is the client address, e.g. "127.0.0.1:4222" or "127.0.0.1:0"
	// for a free port. An empty host means loopback; bind every interface
	// with "0.0.0.0:4222". "" opens no socket at all: only in-process
	// connections (Options.InProcess) reach the server; a clustered server
	// then listens on a free loopback port (it starts its routes only once
	// its client port is open).
	Listen string
	// ServerName names the server in logs and monitoring ("herald"; in a
	// cluster DefaultServerName()). Every server of a cluster needs its own
	// name, the same across its restarts: it is the server's identity in
	// the cluster's consensus groups.
	ServerName string
	// Cluster, when set, makes the server one of a JetStream cluster.
	Cluster *ClusterOptions
	// Sync is how the file store reaches the disk: every write is in the
	// operating system's page cache before the server acknowledges it (an
	// acknowledged event survives a crash of the process), and is flushed
	// to the disk itself (fsync) every SyncInterval (0: NATS' default, two
	// minutes), or before the acknowledgement with SyncAlways (it then
	// survives a crash of the machine too, at a cost in throughput).
	SyncInterval time.Duration
	SyncAlways   bool
	// MaxMemoryStore and MaxFileStore bound the memory and the disk the
	// streams take in all, in bytes (0 or less: the server's default, from
	// the machine's memory and the disk's free space).
	MaxMemoryStore int64
	MaxFileStore   int64
	// MaxPayload is the largest message the server takes, in bytes, an
	// event with its headers (0: DefaultMaxPayload).
	MaxPayload int32
	// Logger receives the server's logs (nil: discarded).
	Logger *slog.Logger
}

// DefaultMaxPayload is the embedded server's largest message: 8 MiB, the
// most NATS advises, so that a webhook body up to a few MiB (a source's
// maxPayloadSize) fits in an event; NATS' own default is 1 MB, less than a
// 1 MiB webhook body with its headers.
const DefaultMaxPayload = 8 << 20

// Embedded is a NATS server with JetStream running inside this process.
type Embedded struct {
	srv *server.Server
	url string
}

var _ InProcessConnProvider = (*Embedded)(nil)

// StartEmbedded starts a JetStream server on a file store under DataDir and
// waits until it takes connections (bounded by ctx).
func StartEmbedded(ctx context.Context, o EmbeddedOptions) (*Embedded, error) {
	if o.DataDir == "" {
		return nil, errors.New("starting the embedded NATS server: no data folder")
	}
	listen := o.Listen
	if listen == "" && o.Cluster != nil {
		// The server starts its routes only once its client port is open:
		// a clustered server needs one, on loopback, reached by no one.
		listen = "127.0.0.1:0"
	}
	opts := &server.Options{
		ServerName: o.ServerName,
		JetStream:  true,
		StoreDir:   o.DataDir,
		NoSigs:     true,
		DontListen: listen == "",
		// SyncInterval 0 lets the server take its default.
		SyncInterval: o.SyncInterval,
		SyncAlways:   o.SyncAlways,
		// Zero or less: sized from the machine.
		JetStreamMaxMemory: o.MaxMemoryStore,
		JetStreamMaxStore:  o.MaxFileStore,
		MaxPayload:         o.MaxPayload,
	}
	if opts.MaxPayload <= 0 {
		opts.MaxPayload = DefaultMaxPayload
	}
	if opts.ServerName == "" {
		opts.ServerName = "herald"
		if o.Cluster != nil {
			opts.ServerName = DefaultServerName()
		}
	}
	if o.Cluster != nil {
		if err := o.Cluster.serverOptions(opts); err != nil {
			return nil, fmt.Errorf("starting the embedded NATS server: %w", err)
		}
	}
	if listen != "" {
		host, port, err := splitListen(listen)
		if err != nil {
			return nil, fmt.Errorf("starting the embedded NATS server: %w", err)
		}
		opts.Host, opts.Port = host, port
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("configuring the embedded NATS server: %w", err)
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	srv.SetLoggerV2(serverLogger{logger}, logger.Enabled(ctx, slog.LevelDebug), false, false)
	srv.Start()
	if err := waitReady(ctx, srv); err != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, err
	}
	e := &Embedded{srv: srv}
	if !opts.DontListen {
		e.url = srv.ClientURL()
	}
	attrs := []any{"data_dir", o.DataDir, "url", e.url, "sync", e.Sync()}
	if o.Cluster != nil {
		attrs = append(attrs, "server", opts.ServerName, "cluster", opts.Cluster.Name, "cluster_addr", e.ClusterAddr(), "peers", len(opts.Routes))
	}
	logger.Info("embedded nats server started", attrs...)
	return e, nil
}

// Sync says how the server's file store reaches the disk: "always" (each
// write before it is acknowledged) or the interval of its flushes.
func (e *Embedded) Sync() string {
	c := e.srv.JetStreamConfig()
	if c == nil {
		return ""
	}
	if c.SyncAlways {
		return "always"
	}
	return c.SyncInterval.String()
}

// waitReady waits for the server to take connections, in steps so a
// cancelled ctx is noticed.
func waitReady(ctx context.Context, srv *server.Server) error {
	for {
		if srv.ReadyForConnections(100 * time.Millisecond) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("waiting for the embedded NATS server: %w", err)
		}
	}
}

// splitListen turns host:port into the server's host and port; port 0 asks
// for a free one and an empty host means loopback.
func splitListen(listen string) (string, int, error) {
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		return "", 0, fmt.Errorf("listen address %q: %w", listen, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("listen address %q: bad port", listen)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return host, port, nil
}

// ClientURL is the server's nats:// URL (with the port actually bound), or
// "" when it opened no socket.
func (e *Embedded) ClientURL() string { return e.url }

// InProcessConn opens a connection to the server without a socket.
func (e *Embedded) InProcessConn() (net.Conn, error) {
	return e.srv.InProcessConn()
}

// Shutdown stops the server, waiting for it (bounded by ctx). The store
// stays on disk.
func (e *Embedded) Shutdown(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		e.srv.Shutdown()
		e.srv.WaitForShutdown()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("shutting the embedded NATS server down: %w", ctx.Err())
	}
}

// serverLogger adapts slog to the server's printf-style logger. Messages are
// constant; the formatted text goes under "detail".
type serverLogger struct{ l *slog.Logger }

// Noticef logs at debug level: the server's start-up banner and notices
// would drown Herald's own log at info level.
func (s serverLogger) Noticef(format string, v ...any) {
	s.l.Debug("nats server", "detail", fmt.Sprintf(format, v...))
}

func (s serverLogger) Warnf(format string, v ...any) {
	s.l.Warn("nats server", "detail", fmt.Sprintf(format, v...))
}

func (s serverLogger) Fatalf(format string, v ...any) {
	s.l.Error("nats server fatal", "detail", fmt.Sprintf(format, v...))
}

func (s serverLogger) Errorf(format string, v ...any) {
	s.l.Error("nats server", "detail", fmt.Sprintf(format, v...))
}

func (s serverLogger) Debugf(format string, v ...any) {
	s.l.Debug("nats server", "detail", fmt.Sprintf(format, v...))
}

func (s serverLogger) Tracef(format string, v ...any) {
	s.l.Debug("nats server trace", "detail", fmt.Sprintf(format, v...))
}
