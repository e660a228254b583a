package k8s

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trigger"
)

// Loader reads the object a trigger's source describes and rewrites it with
// the trigger's parameters, as the k8s trigger does, for other kinds that act
// on one object per firing (argoWorkflow). It shares the k8s trigger's
// clients: the dynamic client of each identity and the url client. It is
// safe for concurrent use.
type Loader struct {
	t *k8sTrigger
	p *prepared
}

// NewLoader returns the loader of source with params. Without Env.Kube a
// configmap source fails terminally when read, and so do Dynamic's clients.
func NewLoader(env trigger.Env, source *v1alpha1.ArtifactLocation, params []v1alpha1.TriggerParameter) (*Loader, error) {
	p, err := prepare(&v1alpha1.StandardK8STrigger{Source: source, Parameters: params})
	if err != nil {
		return nil, err
	}
	cs, err := newClientSet(env, Options{})
	if err != nil {
		return nil, fmt.Errorf("building the clients: %w", err)
	}
	return &Loader{t: &k8sTrigger{env: env, clients: cs}, p: p}, nil
}

// Object returns a fresh object for one firing: the source (a configmap one
// read from namespace with Herald's own identity) with the parameters
// applied. Errors are classified as the k8s trigger's: an object that does
// not decode or a parameter that does not apply is terminal, a source that
// cannot be reached is transient.
func (l *Loader) Object(ctx context.Context, events map[string]*event.Event, namespace string) (*unstructured.Unstructured, error) {
	return l.p.object(events, func() (*unstructured.Unstructured, error) {
		return l.t.fetch(ctx, l.p, namespace)
	})
}

// Static returns a copy of an inline or resource source as written (no
// parameters applied), or nil for sources read when the trigger fires.
func (l *Loader) Static() *unstructured.Unstructured {
	if l.p.static == nil {
		return nil
	}
	return l.p.static.DeepCopy()
}

// Dynamic returns the shared dynamic client acting as identity ("" is
// Herald's own; see clients.ServiceAccountIdentity).
func (l *Loader) Dynamic(identity string) (dynamic.Interface, error) {
	return l.t.clients.dynamic(identity)
}

// Settle applies the k8s trigger's rule for a 403 to err, classified by
// Classify: retried while the API server does not answer /readyz (one that
// has just restarted refuses, for a moment, what the identity may do).
func (l *Loader) Settle(ctx context.Context, err error) error {
	return l.t.clients.forbiddenWhileStarting(ctx, err)
}

// Classify marks err terminal when no retry can fix it, by the k8s
// trigger's rules: a kind the API server does not serve and 4xx answers
// other than not found, timeouts, conflicts, throttling and unauthorized.
func Classify(err error) error { return classify(err) }
