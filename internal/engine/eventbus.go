package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/eventsource"
)

// exoticOptions turns an EventBus's jetstreamExotic section into connection
// options as Argo Events reads it: accessSecret holds a YAML credential
// (token, username, password) used as basic auth unless auth says token;
// TLS material comes from Secrets (written to files under dir for the NATS
// client); streamConfig is YAML with the stream's limits.
func exoticOptions(ctx context.Context, js *v1alpha1.JetStreamConfig, namespace string, secrets eventsource.Env, dir string) (jetstream.Options, error) {
	var o jetstream.Options
	if js.URL != "" {
		o.URLs = strings.Split(js.URL, ",")
	}
	secrets.Namespace = namespace
	if js.AccessSecret != nil {
		raw, err := secrets.ReadSecret(ctx, js.AccessSecret)
		if err != nil {
			return o, fmt.Errorf("reading the event bus credentials: %w", err)
		}
		strategy := v1alpha1.AuthStrategyBasic
		if js.Auth != nil {
			strategy = *js.Auth
		}
		if err := busAuth(&o.Auth, strategy, raw, dir); err != nil {
			return o, err
		}
	}
	if js.TLS != nil {
		tls := &jetstream.TLSOptions{InsecureSkipVerify: js.TLS.InsecureSkipVerify}
		files := []struct {
			sel  *corev1.SecretKeySelector
			name string
			dst  *string
		}{
			{js.TLS.CACertSecret, "ca.crt", &tls.CAFile},
			{js.TLS.ClientCertSecret, "tls.crt", &tls.CertFile},
			{js.TLS.ClientKeySecret, "tls.key", &tls.KeyFile},
		}
		for _, f := range files {
			if f.sel == nil {
				continue
			}
			val, err := secrets.ReadSecret(ctx, f.sel)
			if err != nil {
				return o, fmt.Errorf("reading the event bus TLS material: %w", err)
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return o, fmt.Errorf("creating %s: %w", dir, err)
			}
			p := filepath.Join(dir, f.name)
			if err := os.WriteFile(p, val, 0o600); err != nil {
				return o, fmt.Errorf("writing the event bus TLS material: %w", err)
			}
			*f.dst = p
		}
		o.TLS = tls
	}
	if js.StreamConfig != "" {
		s, err := parseStreamConfig(js.StreamConfig)
		if err != nil {
			return o, err
		}
		o.Stream = s
	}
	return o, nil
}

// busAuth sets the credentials of an access Secret's value raw: for token
// and basic, YAML with token, username and password; for jwt, a NATS
// credentials file (user JWT and NKey seed), written under dir for the
// client to read.
func busAuth(a *jetstream.AuthOptions, strategy v1alpha1.AuthStrategy, raw []byte, dir string) error {
	switch strategy {
	case v1alpha1.AuthStrategyNone:
		return nil
	case v1alpha1.AuthStrategyJWT:
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
		p := filepath.Join(dir, "credentials.creds")
		if err := os.WriteFile(p, raw, 0o600); err != nil {
			return fmt.Errorf("writing the event bus credentials: %w", err)
		}
		a.CredsFile = p
		return nil
	case v1alpha1.AuthStrategyToken, v1alpha1.AuthStrategyBasic:
	default:
		return fmt.Errorf("event bus auth %q is not supported (want none, token, basic or jwt)", strategy)
	}
	var cred struct {
		Token    string `json:"token"`
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := yaml.Unmarshal(raw, &cred); err != nil {
		return fmt.Errorf("reading the event bus credentials (YAML with token, username, password): %w", err)
	}
	if strategy == v1alpha1.AuthStrategyToken {
		a.Token = cred.Token
	} else {
		a.User, a.Password = cred.Username, cred.Password
	}
	return nil
}

// parseStreamConfig reads Argo's streamConfig YAML (see
// validation.ParseStreamConfig, which lint uses too) into stream options.
func parseStreamConfig(text string) (jetstream.StreamOptions, error) {
	var s jetstream.StreamOptions
	c, err := validation.ParseStreamConfig(text)
	if err != nil {
		return s, err
	}
	if c.MaxMsgs != nil {
		s.MaxMsgs = *c.MaxMsgs
	}
	if c.MaxBytes != nil {
		s.MaxBytes = *c.MaxBytes
	}
	if c.Replicas != nil {
		s.Replicas = *c.Replicas
	}
	s.MaxAge, s.DuplicatesWindow = c.MaxAge, c.Duplicates
	return s, nil
}

// DefaultClusterWait bounds how long a replica of a clustered embedded bus
// waits at start for enough of the others to be up (a meta leader elected,
// room for the streams' replicas) before it gives up with an error.
const DefaultClusterWait = 2 * time.Minute

// startEmbedded starts the embedded server, with an EventBus's settings,
// when opts names no external one, and points opts at it; it sets the
// streams' replicas either way. It returns nil for an external bus.
func startEmbedded(ctx context.Context, cfg Config, opts *jetstream.Options, settings validation.JetStreamSettings) (*jetstream.Embedded, error) {
	if len(opts.URLs) > 0 {
		if cfg.BusReplicas > 0 {
			opts.Stream.Replicas = cfg.BusReplicas
		}
		return nil, nil
	}
	dir := cfg.DataDir
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("creating the data folder %s: %w", dir, err)
	}
	cluster := cfg.busCluster()
	if cfg.BusSyncAlways || cfg.BusSyncInterval > 0 {
		settings.SyncInterval, settings.SyncAlways = cfg.BusSyncInterval, cfg.BusSyncAlways
	}
	embedded, err := jetstream.StartEmbedded(ctx, jetstream.EmbeddedOptions{
		DataDir:        dir,
		Listen:         cfg.BusListen,
		ServerName:     cfg.BusServerName,
		Cluster:        cluster,
		SyncInterval:   settings.SyncInterval,
		SyncAlways:     settings.SyncAlways,
		MaxMemoryStore: settings.MaxMemoryStore,
		MaxFileStore:   settings.MaxFileStore,
		MaxPayload:     settings.MaxPayload,
		Logger:         cfg.Logger.With("component", "nats"),
	})
	if err != nil {
		return nil, fmt.Errorf("starting the embedded event bus: %w", err)
	}
	requested := opts.Stream.Replicas // an EventBus's streamConfig
	if cfg.BusReplicas > 0 {
		requested = cfg.BusReplicas
	}
	opts.Stream.Replicas = cluster.Replicas(requested)
	if requested > opts.Stream.Replicas {
		cfg.Logger.Warn("event bus replicas lowered to the cluster's size", "requested", requested, "replicas", opts.Stream.Replicas)
	}
	if cluster != nil {
		opts.ClusterWait = DefaultClusterWait
		cfg.Logger.Info("embedded event bus clustered", "cluster_addr", embedded.ClusterAddr(),
			"peers", cluster.Peers, "replicas", opts.Stream.Replicas)
	}
	opts.InProcess = embedded
	return embedded, nil
}

// busCluster is the embedded server's cluster, nil when it runs alone.
func (cfg Config) busCluster() *jetstream.ClusterOptions {
	if len(cfg.BusClusterPeers) == 0 && cfg.BusClusterListen == "" {
		return nil
	}
	c := &jetstream.ClusterOptions{Name: cfg.BusClusterName, Listen: cfg.BusClusterListen, Peers: cfg.BusClusterPeers}
	if c.Listen == "" {
		c.Listen = ":" + strconv.Itoa(jetstream.DefaultClusterPort)
	}
	return c
}
