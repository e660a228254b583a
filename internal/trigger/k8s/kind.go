// Package k8s is the "k8s" trigger kind: it creates, updates, patches,
// deletes or server-side applies one Kubernetes object per firing, read from
// the trigger's source and rewritten by its parameters, as Argo Events'
// standard k8s trigger does, acting as the Sensor's ServiceAccount.
package k8s

import (
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
	return trigger.Kind{
		Name: Name,
		Doc:  "Creates, updates, patches, deletes or server-side applies a Kubernetes object.",
		New: func(env trigger.Env, sensor *v1alpha1.Sensor, t *v1alpha1.Trigger) (trigger.Trigger, error) {
			return newTrigger(env, opts, sensor, t)
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

// clientSet is what a trigger talks to the API server with.
type clientSet struct {
	dynamic func(identity string) (dynamic.Interface, error)
	mapper  *clients.Mapper
}

func newClientSet(env trigger.Env, opts Options) (clientSet, error) {
	f := opts.Factory
	if f == nil {
		if env.Kube == nil {
			return clientSet{}, errors.New("the k8s trigger needs a cluster: no Kubernetes client configuration")
		}
		f = factoryFor(env.Kube)
	}
	mapper, err := f.Mapper()
	if err != nil {
		return clientSet{}, fmt.Errorf("building the REST mapper: %w", err)
	}
	cs := clientSet{dynamic: f.Dynamic, mapper: mapper}
	if opts.Factory == nil && env.Clients != nil {
		cs.dynamic = env.Clients
	}
	return cs, nil
}
