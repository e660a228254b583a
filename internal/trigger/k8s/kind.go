// Package k8s is the "k8s" trigger kind: it creates, updates, patches,
// deletes or server-side applies one Kubernetes object per firing, read from
// the trigger's source and rewritten by its parameters, as Argo Events'
// standard k8s trigger does, acting as the Sensor's ServiceAccount.
package k8s

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/clients"
)

// Name is the kind's key under a trigger template.
const Name = "k8s"

// Rate limit of the clients built when Options.Factory is nil.
const (
	defaultQPS   = 500
	defaultBurst = 1000
)

// Options configure the kind.
type Options struct {
	// Factory supplies the dynamic clients and the RESTMapper. When nil,
	// clients come from Env.Clients and the mapper from a factory built
	// once per Env.Kube.
	Factory *clients.Factory
	// DefaultServiceAccount is the ServiceAccount, in the Sensor's
	// namespace, the trigger acts as when the Sensor's
	// spec.template.serviceAccountName is empty. Empty means Herald's own
	// identity.
	DefaultServiceAccount string
}

func init() { trigger.Default.Register(NewKind(Options{})) }

// NewKind returns the k8s kind configured by opts.
func NewKind(opts Options) trigger.Kind {
	rc := newReconciler()
	return trigger.Kind{
		Name: Name,
		Doc: "Creates, updates, patches, deletes or server-side applies a Kubernetes object.\n\n" +
			"The object's manifest is read from `source` (`resource`, `inline`, `file`, `url` or `configmap`; not `s3` or `git`) and " +
			"rewritten by `parameters`; the trigger acts as the Sensor's ServiceAccount (`spec.template.serviceAccountName`).\n\n" +
			"Herald extensions, which Argo Events rejects: the `apply` operation (server-side apply), `owner` (the written object is " +
			"owned by an object carried in an event, so Kubernetes deletes it with its owner) and `reconcile` (Herald writes the object " +
			"back when someone edits or deletes it). Not found, conflicts, timeouts, throttling, unauthorized, 5xx and network " +
			"errors are retried with the trigger's `retryStrategy`; other 4xx answers (an invalid object, forbidden, already exists) " +
			"and kinds the API server does not serve are final.",
		New: func(env trigger.Env, sensor *v1alpha1.Sensor, t *v1alpha1.Trigger) (trigger.Trigger, error) {
			return newTrigger(env, opts, rc, sensor, t)
		},
	}
}

// fallbackFactories holds the factories built for Env.Kube configurations
// when no Factory option is given, so that every trigger of a process shares
// one RESTMapper.
var fallbackFactories sync.Map // *rest.Config → *clients.Factory

func factoryFor(cfg *rest.Config) *clients.Factory {
	if f, ok := fallbackFactories.Load(cfg); ok {
		return f.(*clients.Factory)
	}
	f, _ := fallbackFactories.LoadOrStore(cfg, clients.NewFactory(cfg, defaultQPS, defaultBurst))
	return f.(*clients.Factory)
}

// errNoCluster is the error of acting without a Kubernetes client
// configuration.
var errNoCluster = errors.New("the k8s trigger needs a cluster: no Kubernetes client configuration")

// clientSet is what a trigger talks to the API server with; mapper is nil
// when there is no cluster.
type clientSet struct {
	dynamic func(identity string) (dynamic.Interface, error)
	mapper  *clients.Mapper
	// ready reports whether the API server is ready (nil: assume so).
	ready func(ctx context.Context) bool
}

func newClientSet(env trigger.Env, opts Options) (clientSet, error) {
	f := opts.Factory
	if f == nil {
		if env.Kube == nil {
			// Built without a cluster (herald dry-run, herald test): the
			// trigger renders; acting on the cluster fails.
			return clientSet{dynamic: func(string) (dynamic.Interface, error) { return nil, trigger.Terminal(errNoCluster) }}, nil
		}
		f = factoryFor(env.Kube)
	}
	mapper, err := f.Mapper()
	if err != nil {
		return clientSet{}, fmt.Errorf("building the REST mapper: %w", err)
	}
	cs := clientSet{dynamic: f.Dynamic, mapper: mapper, ready: f.Ready}
	if opts.Factory == nil && env.Clients != nil {
		cs.dynamic = env.Clients
	}
	return cs, nil
}
