// Package kube builds Herald's Kubernetes client configuration: from a
// kubeconfig file, the KUBECONFIG variable or the in-cluster service account,
// with client-side rate limits high enough for event-driven work (client-go's
// defaults of 5 QPS and a burst of 10 throttle a burst of 200 objects for
// tens of seconds).
package kube

import (
	"errors"
	"fmt"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Default client-side rate limits.
const (
	DefaultQPS   = 500
	DefaultBurst = 1000
)

// Options say where the cluster is and how fast Herald may talk to it.
type Options struct {
	// Kubeconfig is a kubeconfig file; empty means $KUBECONFIG, then
	// ~/.kube/config, then the in-cluster configuration.
	Kubeconfig string
	// Context is the kubeconfig context to use (empty: the current one).
	Context string
	// QPS and Burst limit requests on the client side (0: the defaults).
	QPS   float32
	Burst int
	// UserAgent names Herald in the API server's logs and metrics.
	UserAgent string
}

// ErrNoCluster is returned by Config when no kubeconfig exists and Herald
// does not run inside a cluster.
var ErrNoCluster = errors.New("no Kubernetes cluster configured (no kubeconfig, not in a cluster)")

// Config returns a client configuration, or an error wrapping ErrNoCluster
// when none can be found and none was asked for explicitly.
func Config(o Options) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	explicit := o.Kubeconfig != ""
	if explicit {
		rules.ExplicitPath = o.Kubeconfig
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: o.Context}
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	cfg, err := loader.ClientConfig()
	if err != nil {
		if explicit {
			return nil, fmt.Errorf("reading kubeconfig %s: %w", o.Kubeconfig, err)
		}
		if !clientcmd.IsEmptyConfig(err) {
			return nil, fmt.Errorf("reading the Kubernetes client configuration: %w", err)
		}
		cfg, err = rest.InClusterConfig()
		if err != nil {
			if errors.Is(err, rest.ErrNotInCluster) {
				return nil, ErrNoCluster
			}
			return nil, fmt.Errorf("reading the in-cluster configuration: %w", err)
		}
	}
	cfg.QPS, cfg.Burst = o.QPS, o.Burst
	if cfg.QPS == 0 {
		cfg.QPS = DefaultQPS
	}
	if cfg.Burst == 0 {
		cfg.Burst = DefaultBurst
	}
	cfg.UserAgent = o.UserAgent
	if cfg.UserAgent == "" {
		cfg.UserAgent = "herald"
	}
	return cfg, nil
}
