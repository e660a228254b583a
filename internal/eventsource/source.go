// Package eventsource runs EventSources: the Source interface each kind
// implements, the registry of kinds, and the runner that turns what a source
// sees into durably published events.
package eventsource

import (
	"context"
	"errors"
	"log/slog"

	"k8s.io/client-go/dynamic"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// Emit publishes one event durably. It returns only once the bus has
// acknowledged the event, so a source acknowledges its own input (answers a
// webhook, records a checkpoint) only after Emit returned nil. An error
// wrapping eventbus.ErrUnavailable means "try again later".
type Emit func(ctx context.Context, ev *event.Event) error

// Source watches one kind of thing for one named event of an EventSource.
//
// Start runs the source: it blocks until ctx ends (returning nil) or the
// source fails for good (returning the error). Each occurrence is passed to
// emit; Start must not return before the emits it started have returned.
type Source interface {
	Start(ctx context.Context, emit Emit) error
}

// Env is what the process shares with every source: clients, informers,
// servers and the logger.
type Env struct {
	// Logger is the source's logger, with eventsource and event keys set.
	Logger *slog.Logger
	// Dynamic is a Kubernetes client, nil when Herald runs without a cluster.
	Dynamic dynamic.Interface
	// Namespace is the EventSource's namespace (or the default of the run).
	Namespace string
	// Shared holds process-wide resources a kind shares among its sources
	// (one HTTP server per port for webhooks, one informer per resource and
	// namespace, ...), keyed by the kind.
	Shared *Shared
	// WebhookHost is the address HTTP-based sources bind their ports to;
	// empty means every interface, as Argo does.
	WebhookHost string
	// Secrets reads Secret keys (bearer tokens, TLS keys). Nil reads them
	// through Dynamic; see Env.ReadSecret.
	Secrets SecretReader
	// Checkpoints stores the progress of sources that resume where they
	// left off (a calendar's last fire time). Nil disables resuming.
	Checkpoints Checkpoints
	// State stores opaque per-source state that outlives the process (a
	// resource source's record of what it already emitted). Nil disables it.
	State StateStore
	// Rejected counts an input the source dropped for good, by a short
	// constant reason ("not JSON", "refused by the bus"); the runner sets
	// it (herald_eventsource_inputs_rejected_total). Call Env.Reject, which
	// also works when it is nil.
	Rejected func(reason string)
	// Started tells the runner that the source is up: its server listens,
	// its watch has synced. Sources of a kind with Kind.ReportsStarted call
	// it (through Env.ReportStarted, which also works when it is nil) once
	// per Start; the runner sets it.
	Started func()
}

// ReportStarted says the source is up (see Env.Started).
func (e Env) ReportStarted() {
	if e.Started != nil {
		e.Started()
	}
}

// Reject counts an input the source dropped for good (see Env.Rejected).
func (e Env) Reject(reason string) {
	if e.Rejected != nil {
		e.Rejected(reason)
	}
}

// Spec identifies the event a source produces.
type Spec struct {
	// EventSource is the whole object the event belongs to.
	EventSource *v1alpha1.EventSource
	// Name is the event's name (the key under the kind in the manifest).
	Name string
	// Config is the kind's configuration for this event, e.g.
	// *v1alpha1.WebhookEventSource.
	Config any
}

// ErrNoCluster is returned by kinds that need Kubernetes when Herald runs
// without a cluster.
var ErrNoCluster = errors.New("this event source needs a Kubernetes cluster (no kubeconfig or in-cluster config)")
