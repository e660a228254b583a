package testenv

import (
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// NATS is an embedded NATS server with JetStream on a random loopback port and
// a temporary file store.
type NATS struct {
	// Server is the running server.
	Server *server.Server
	// URL is the client URL, e.g. nats://127.0.0.1:41234.
	URL string
	// StoreDir is the JetStream store folder.
	StoreDir string
}

// StartNATS starts an embedded JetStream server. Call Stop when done.
func StartNATS() (*NATS, error) {
	return StartNATSWith(&server.Options{})
}

// StartNATSWith starts an embedded JetStream server with opts (their
// credentials, say) on a random loopback port and a temporary file store.
// Call Stop when done.
func StartNATSWith(opts *server.Options) (*NATS, error) {
	dir, err := os.MkdirTemp("", "herald-nats-")
	if err != nil {
		return nil, fmt.Errorf("creating the JetStream store folder: %w", err)
	}
	o := *opts
	o.Host, o.Port, o.JetStream, o.StoreDir, o.NoLog, o.NoSigs = "127.0.0.1", server.RANDOM_PORT, true, dir, true, true
	srv, err := server.NewServer(&o)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("configuring the embedded NATS server: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("embedded NATS server not ready after 10s")
	}
	return &NATS{Server: srv, URL: srv.ClientURL(), StoreDir: dir}, nil
}

// Stop shuts the server down and removes its store.
func (n *NATS) Stop() {
	n.Server.Shutdown()
	n.Server.WaitForShutdown()
	_ = os.RemoveAll(n.StoreDir)
}
