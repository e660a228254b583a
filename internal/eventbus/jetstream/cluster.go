package jetstream

import (
	"context"
	"errors"
	"fmt"
	"net"
	neturl "net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/herald-dev/herald/internal/eventbus"
)

// Defaults of ClusterOptions.
const (
	DefaultClusterName = "herald"
	DefaultClusterPort = 6222
	// DefaultClusterReplicas is how many copies a clustered bus keeps of
	// each stream when not told otherwise: three survive the loss of one
	// server, the most a cluster of three can lose and keep its quorum.
	DefaultClusterReplicas = 3
)

// ClusterOptions make an embedded server one of a JetStream cluster: every
// replica of a Herald deployment runs one, with the same Name and Peers,
// and the streams are copied on several of them. The servers elect a
// meta leader among themselves (a majority of Peers must be up for that)
// and one leader per stream.
type ClusterOptions struct {
	// Name is the cluster's name, the same on every server
	// (DefaultClusterName).
	Name string
	// Listen is the address other servers connect to, host:port; an empty
	// host binds every interface (":6222"), port 0 a free port.
	Listen string
	// Peers are the route URLs of the cluster's servers: nats-route://host:port,
	// nats://host:port, host:port or host (port DefaultClusterPort). List
	// every server, this one included (the server recognises itself and
	// skips it): their number is the cluster's expected size, from which a
	// majority is counted while the servers first meet. Host names are
	// resolved by the server each time it connects, so the DNS names of a
	// StatefulSet's pods or of a headless Service work, and a server whose
	// name does not resolve yet is tried again.
	Peers []string
}

// serverOptions fills in the server's cluster settings.
func (c *ClusterOptions) serverOptions(opts *server.Options) error {
	opts.Cluster.Name = c.Name
	if opts.Cluster.Name == "" {
		opts.Cluster.Name = DefaultClusterName
	}
	if c.Listen == "" {
		return errors.New("cluster: no listen address")
	}
	host, port, err := splitListen(c.Listen)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	if h, _, _ := net.SplitHostPort(c.Listen); h == "" {
		// Other pods reach this one: all interfaces, unlike the client port.
		host = "0.0.0.0"
	}
	opts.Cluster.Host, opts.Cluster.Port = host, port
	routes, err := RouteURLs(c.Peers)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	opts.Routes = routes
	return nil
}

// RouteURLs parses peers as ClusterOptions.Peers describes, dropping
// repeats.
func RouteURLs(peers []string) ([]*neturl.URL, error) {
	var out []*neturl.URL
	seen := map[string]bool{}
	for _, p := range peers {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		u, err := routeURL(p)
		if err != nil {
			return nil, err
		}
		if seen[u.Host] {
			continue
		}
		seen[u.Host] = true
		out = append(out, u)
	}
	return out, nil
}

func routeURL(peer string) (*neturl.URL, error) {
	raw := peer
	if !strings.Contains(raw, "://") {
		raw = "nats-route://" + raw
	}
	u, err := neturl.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("peer %q: %w", peer, err)
	}
	if u.Scheme != "nats-route" && u.Scheme != "nats" {
		return nil, fmt.Errorf("peer %q: scheme %q is neither nats-route nor nats", peer, u.Scheme)
	}
	if u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("peer %q: want host:port", peer)
	}
	port := u.Port()
	if port == "" {
		port = strconv.Itoa(DefaultClusterPort)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("peer %q: bad port", peer)
	}
	u.Scheme, u.Host, u.Path = "nats-route", net.JoinHostPort(u.Hostname(), port), ""
	return u, nil
}

// Replicas is how many copies of each stream the bus keeps on this
// cluster, asked for requested (0: not set). A nil cluster (one server)
// keeps one. Unset, a cluster keeps DefaultClusterReplicas when it lists
// at least two peers, at most as many as it lists, and one otherwise. Set,
// it is capped at the number of peers when more than one is listed (a
// single peer may be a DNS name standing for every server) and at 5, the
// most JetStream keeps.
func (c *ClusterOptions) Replicas(requested int) int {
	if c == nil {
		return 1
	}
	n := 0
	if routes, err := RouteURLs(c.Peers); err == nil {
		n = len(routes)
	}
	if requested <= 0 {
		if n < 2 {
			return 1
		}
		return min(DefaultClusterReplicas, n)
	}
	if n >= 2 {
		requested = min(requested, n)
	}
	return min(requested, 5)
}

// DefaultServerName names a clustered server when no name is given: the
// POD_NAME variable (set from the pod's name with the downward API), else
// the host name — unique per pod, and stable across restarts for the pods
// of a StatefulSet, as a server's identity in the cluster must be.
func DefaultServerName() string {
	if n := os.Getenv("POD_NAME"); n != "" {
		return n
	}
	if n, err := os.Hostname(); err == nil && n != "" {
		return n
	}
	return "herald"
}

// ClusterCurrent reports whether the server is in step with its cluster:
// a meta leader is known and this server has caught up with it. A server
// that is not clustered always is.
func (e *Embedded) ClusterCurrent() bool {
	return e.srv.JetStreamIsCurrent()
}

// ClusterAddr is the address other servers of the cluster connect to, or ""
// when the server is not clustered.
func (e *Embedded) ClusterAddr() string {
	if a := e.srv.ClusterAddr(); a != nil {
		return a.String()
	}
	return ""
}

// Bounds of the pause between two tries of awaitStream.
const (
	minClusterRetry   = 100 * time.Millisecond
	maxClusterRetry   = 2 * time.Second
	clusterTryTimeout = 2 * time.Second
)

// awaitStream creates the stream or updates it, trying again for up to
// Options.ClusterWait while the cluster is not ready for it.
func (b *Bus) awaitStream(ctx context.Context) error {
	return b.awaitCluster(ctx, "stream "+b.stream, b.ensureStream)
}

// awaitCluster runs create (which creates what is named), trying again for
// up to Options.ClusterWait while the cluster is not ready for it: no meta
// leader yet, this server not caught up with it after a restart, or too
// few servers up for the replicas asked for. It logs what it waits for
// every few seconds.
func (b *Bus) awaitCluster(ctx context.Context, what string, create func(context.Context) error) error {
	wait := b.opts.ClusterWait
	if wait <= 0 {
		return create(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	start, lastLog := time.Now(), time.Time{}
	delay := minClusterRetry
	for {
		// One try must not take the whole wait: a request no server
		// answers yet only times out.
		try, cancelTry := context.WithTimeout(ctx, clusterTryTimeout)
		err := create(try)
		cancelTry()
		if err == nil {
			if !lastLog.IsZero() {
				b.log.Info("event bus cluster ready", "for", what, "waited", time.Since(start).Round(time.Millisecond))
			}
			return nil
		}
		if !clusterForming(err) {
			return err
		}
		if time.Since(lastLog) >= 5*time.Second {
			b.log.Info("event bus waiting for the cluster", "for", what, "replicas", b.opts.Stream.Replicas,
				"waited", time.Since(start).Round(time.Second), "error", err)
			lastLog = time.Now()
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return fmt.Errorf("%w: the JetStream cluster was not ready for %s (replicas %d) within %s: %w",
				eventbus.ErrUnavailable, what, b.opts.Stream.Replicas, wait, err)
		}
		delay = min(2*delay, maxClusterRetry)
	}
}

// clusterForming reports whether err may come from a cluster that is still
// forming: anything but a lasting refusal, and the refusals that only mean
// too few servers are up yet.
func clusterForming(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode {
		case jsClusterNoPeers, jsInsufficientResources, jsClusterNotAvail:
			return true
		case jsReplicasNotSupported:
			return false
		}
	}
	if errors.Is(err, jetstream.ErrInvalidBucketName) || errors.Is(err, jetstream.ErrInvalidStreamName) {
		return false
	}
	return !isPermanent(err)
}

// JetStream error codes (the server's err_code) awaitStream tells apart.
const (
	jsClusterNoPeers        jetstream.ErrorCode = 10005
	jsClusterNotAvail       jetstream.ErrorCode = 10008
	jsInsufficientResources jetstream.ErrorCode = 10023
	jsReplicasNotSupported  jetstream.ErrorCode = 10074
)

// startNowIfReplicated turns "deliver new" into "deliver since now" for a
// consumer created on a replicated stream: there the server fixes where a
// new consumer starts only when the consumer's leader is elected, so the
// events published in between would be skipped.
func startNowIfReplicated(cfg jetstream.ConsumerConfig, replicas int) jetstream.ConsumerConfig {
	if replicas > 1 && cfg.DeliverPolicy == jetstream.DeliverNewPolicy {
		now := time.Now()
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &now
	}
	return cfg
}
