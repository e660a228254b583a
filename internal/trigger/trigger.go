// Package trigger defines what a Sensor fires: the Trigger interface each
// kind implements, the registry of kinds, and the classification of errors
// into transient (retried) and terminal (dead-lettered).
package trigger

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// Request is one firing of a trigger.
type Request struct {
	// Sensor is the Sensor the trigger belongs to.
	Sensor *v1alpha1.Sensor
	// Trigger is the trigger with its trigger-level parameters already
	// applied (its template may differ from the manifest's).
	Trigger *v1alpha1.Trigger
	// Events are the events that satisfied the trigger's conditions, by
	// dependency name (after each dependency's transform).
	Events map[string]*event.Event
	// EventID identifies the firing: the id of the event that completed the
	// conditions. Kinds record it where they can (an annotation on created
	// objects) so a redelivery is recognised.
	EventID string
}

// Result describes what a trigger did, for logs and traces.
type Result struct {
	// Ref names what was acted on, e.g. "networking.k8s.io/v1 Ingress
	// playground/fortune (created)" or "POST http://sink/ → 200".
	Ref string
	// Attempts counts the tries it took (set by the retry loop).
	Attempts int
}

// Trigger performs one kind of action.
//
// Execute performs the action for req. It must be safe for concurrent use
// and idempotent where the kind allows (a redelivered event must not create
// a duplicate). Errors are transient (retried with the trigger's backoff,
// then the event is redelivered) unless wrapped with Terminal, which sends
// the event to the dead-letter trigger at once (a 4xx answer, an object the
// API server rejects as invalid, a permission denied).
type Trigger interface {
	Execute(ctx context.Context, req *Request) (Result, error)
}

// ErrTerminal marks errors that no retry can fix.
var ErrTerminal = errors.New("terminal trigger error")

// terminalError wraps an error as terminal.
type terminalError struct{ err error }

func (e terminalError) Error() string        { return e.err.Error() }
func (e terminalError) Unwrap() []error      { return []error{e.err, ErrTerminal} }
func (e terminalError) Is(target error) bool { return target == ErrTerminal }

// Terminal marks err as one that retrying cannot fix.
func Terminal(err error) error {
	if err == nil {
		return nil
	}
	return terminalError{err: err}
}

// IsTerminal reports whether err (or an error it wraps) is terminal.
func IsTerminal(err error) bool { return errors.Is(err, ErrTerminal) }

// Retryable undoes Terminal on err itself: what a trigger found final on
// its own may be worth retrying after all. Errors wrapping a terminal one
// stay terminal.
func Retryable(err error) error {
	if t, ok := err.(terminalError); ok { //nolint:errorlint // only err itself, not what it wraps
		return t.err
	}
	return err
}

// SecretReader returns a Secret key's value from a namespace.
type SecretReader func(ctx context.Context, namespace string, sel *corev1.SecretKeySelector) ([]byte, error)

// Env is what the process shares with every trigger.
type Env struct {
	// Logger is the trigger's logger (sensor and trigger keys set).
	Logger *slog.Logger
	// Kube is the cluster's client configuration (nil without a cluster).
	// Kinds acting as the Sensor's service account build impersonating
	// clients from it through Clients.
	Kube *rest.Config
	// Clients returns the shared, fast dynamic client for an identity: the
	// empty string is Herald's own; "system:serviceaccount:NS:NAME"
	// impersonates that account.
	Clients func(identity string) (dynamic.Interface, error)
	// HTTP is the shared HTTP client (connection reuse); kinds needing TLS
	// options of their own clone its transport.
	HTTP *http.Client
	// Secrets reads Secret keys (headers, basic auth, TLS).
	Secrets SecretReader
	// Background is the Sensor's run for kinds that keep working between
	// firings (the k8s trigger's reconcile option); nil outside a Sensor's
	// run: such work then lasts as long as the process and keeps its state
	// in memory.
	Background *Background
}
