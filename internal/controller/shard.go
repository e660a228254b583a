package controller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/membership"
)

// HA makes several controller replicas share the work: each holds a Lease
// in Namespace, and every EventSource, Sensor and EventBus is given to one
// live replica (membership.Owner). EventSources made only of listener
// kinds (webhooks) run on every replica, behind the one Service.
type HA struct {
	// Namespace holds the replicas' Leases (the controller's own).
	Namespace string
	// Identity names this replica (its pod name).
	Identity string
	// Group names the replicas that share work (default
	// membership.DefaultGroup): two groups in one namespace split the
	// cluster's objects twice, so give each its own selector.
	Group string
	// LeaseDuration is how long a replica that stopped renewing keeps its
	// work (default membership.DefaultLeaseDuration).
	LeaseDuration time.Duration
}

// shard says which objects this replica runs and writes the status of.
// Its zero value (one replica) does everything.
type shard struct {
	members *membership.Members
	sources *eventsource.Registry
}

// ownerKey is what membership hashes for an object.
func ownerKey(kind, namespace, name string) string { return kind + " " + namespace + "/" + name }

// owns reports whether this replica runs (or, for an EventSource run by
// every replica, reports on) the object.
func (s shard) owns(kind, namespace, name string) bool {
	return s.members == nil || s.members.Owns(ownerKey(kind, namespace, name))
}

// runs reports whether this replica runs es.
func (s shard) runs(es *v1alpha1.EventSource) bool {
	return s.owns(v1alpha1.KindEventSource, es.Namespace, es.Name) || (s.members != nil && s.member() && s.everywhere(es))
}

// member reports whether this replica counts itself among the live ones.
func (s shard) member() bool {
	for _, id := range s.members.Live() {
		if id == s.members.Identity() {
			return true
		}
	}
	return false
}

// everywhere reports whether every kind es uses is a listener.
func (s shard) everywhere(es *v1alpha1.EventSource) bool {
	if s.sources == nil {
		return false
	}
	used := 0
	for _, name := range s.sources.Names() {
		k, _ := s.sources.Lookup(name)
		if len(k.Configs(&es.Spec)) == 0 {
			continue
		}
		if !k.Listener {
			return false
		}
		used++
	}
	return used > 0
}

// where says in a status message where the object runs.
func (s shard) where(es *v1alpha1.EventSource) string {
	switch {
	case s.members == nil:
		return "runs in the herald controller"
	case es != nil && s.everywhere(es):
		return "runs in every herald controller replica"
	default:
		return "runs in the herald controller replica " + s.members.Identity()
	}
}

// startMembership joins the replicas of ha and waits until this replica
// knows them. onChange is called each time the replicas change.
func startMembership(ctx context.Context, kube *rest.Config, ha *HA, log *slog.Logger, onChange func()) (*membership.Members, <-chan error, error) {
	if ha.Namespace == "" || ha.Identity == "" {
		return nil, nil, errors.New("several replicas need a namespace for their Leases and an identity for each")
	}
	cs, err := kubernetes.NewForConfig(kube)
	if err != nil {
		return nil, nil, fmt.Errorf("creating the Kubernetes client: %w", err)
	}
	m, err := membership.New(membership.Config{
		Client: cs, Namespace: ha.Namespace, Group: ha.Group, Identity: ha.Identity,
		LeaseDuration: ha.LeaseDuration, Logger: log.With("component", "membership"),
		OnChange: func([]string) { onChange() },
	})
	if err != nil {
		return nil, nil, err
	}
	errc := make(chan error, 1)
	go func() { errc <- m.Run(ctx) }()
	select {
	case <-m.Ready():
		return m, errc, nil
	case err := <-errc:
		if err == nil {
			err = ctx.Err()
		}
		return nil, nil, fmt.Errorf("joining the replicas: %w", err)
	}
}
