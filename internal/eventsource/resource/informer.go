package resource

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"

	"github.com/herald-dev/herald/internal/eventsource"
)

// informers is the process-wide set of running informers of this kind, one
// per resource and namespace, kept in eventsource.Shared under Kind. Every
// resource source of the process watching the same resource in the same
// namespace shares one informer (one LIST and one WATCH on the API server,
// one cache); each adds its own handler and filters labels there. An informer
// stops when its last source leaves.
//
// Shared resources belong to one cluster: all sources using one
// eventsource.Shared must be given the same Dynamic client.
type informers struct {
	mu sync.Mutex
	m  map[string]*sharedInformer
}

// sharedInformer is one running informer and the number of sources using it.
type sharedInformer struct {
	key      string
	informer cache.SharedIndexInformer
	refs     int
	cancel   context.CancelFunc
	done     chan struct{}
}

// informersOf returns the informer set stored in shared, creating it on
// first use.
func informersOf(shared *eventsource.Shared) *informers {
	return shared.GetOrCreate(Kind, func() any {
		return &informers{m: map[string]*sharedInformer{}}
	}).(*informers)
}

func informerKey(gvr schema.GroupVersionResource, namespace string) string {
	return gvr.Group + "/" + gvr.Version + "/" + gvr.Resource + " ns=" + namespace
}

// acquire returns the running informer of gvr in namespace (all namespaces
// when empty), starting one if none runs. Each acquire must be paired with a
// release.
func (p *informers) acquire(client dynamic.Interface, gvr schema.GroupVersionResource, namespace string) *sharedInformer {
	key := informerKey(gvr, namespace)
	p.mu.Lock()
	defer p.mu.Unlock()
	if si, ok := p.m[key]; ok {
		si.refs++
		return si
	}
	inf := dynamicinformer.NewFilteredDynamicInformer(client, gvr, namespace, 0, cache.Indexers{}, nil).Informer()
	ctx, cancel := context.WithCancel(context.Background())
	si := &sharedInformer{key: key, informer: inf, refs: 1, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(si.done)
		inf.RunWithContext(ctx)
	}()
	p.m[key] = si
	return si
}

// release gives si back; the last release stops the informer and waits
// for it to finish.
func (p *informers) release(si *sharedInformer) {
	p.mu.Lock()
	si.refs--
	last := si.refs == 0
	if last {
		delete(p.m, si.key)
	}
	p.mu.Unlock()
	if last {
		si.cancel()
		<-si.done
	}
}

// running returns the number of running informers (for tests).
func (p *informers) running() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.m)
}
