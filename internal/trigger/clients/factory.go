// Package clients builds and shares the Kubernetes clients triggers use: one
// fast dynamic client per identity (Herald's own, or a ServiceAccount it
// impersonates) and one RESTMapper for all of them.
package clients

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// serviceAccountPrefix starts the user name the API server gives a
// ServiceAccount: "system:serviceaccount:<namespace>:<name>".
const serviceAccountPrefix = "system:serviceaccount:"

// ServiceAccountIdentity returns the user name of ServiceAccount name in
// namespace, the identity Factory.Dynamic impersonates.
func ServiceAccountIdentity(namespace, name string) string {
	return serviceAccountPrefix + namespace + ":" + name
}

// Factory creates each identity's dynamic client once and hands out the
// same one afterwards. It is safe for concurrent use.
type Factory struct {
	cfg   *rest.Config
	qps   float32
	burst int

	mu      sync.Mutex
	dynamic map[string]dynamic.Interface

	mapperOnce sync.Once
	mapper     *Mapper
	mapperErr  error

	readyMu     sync.Mutex
	readyAt     time.Time // when ready was last asked
	readyCache  bool
	readyClient rest.Interface
}

// NewFactory returns a factory building clients from cfg (which it does not
// modify), with the client-side rate limit set to qps and burst.
func NewFactory(cfg *rest.Config, qps float32, burst int) *Factory {
	return &Factory{cfg: cfg, qps: qps, burst: burst, dynamic: map[string]dynamic.Interface{}}
}

// Config returns the client configuration used for identity: Herald's own
// for "", else the same with impersonation of identity. No groups are
// named: the API server gives an impersonated ServiceAccount its groups
// itself, and naming them would need the right to impersonate groups
// (which would let Herald act as any group, system:masters included).
func (f *Factory) Config(identity string) *rest.Config {
	cfg := rest.CopyConfig(f.cfg)
	cfg.QPS, cfg.Burst = f.qps, f.burst
	if identity != "" {
		cfg.Impersonate = rest.ImpersonationConfig{UserName: identity}
	}
	return cfg
}

// Dynamic returns the shared dynamic client acting as identity ("" is
// Herald's own identity; "system:serviceaccount:NS:NAME" impersonates that
// ServiceAccount).
func (f *Factory) Dynamic(identity string) (dynamic.Interface, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.dynamic[identity]; ok {
		return c, nil
	}
	c, err := dynamic.NewForConfig(f.Config(identity))
	if err != nil {
		return nil, fmt.Errorf("creating the dynamic client for %q: %w", identity, err)
	}
	f.dynamic[identity] = c
	return c, nil
}

// readyCacheFor bounds how long Ready reuses the API server's last answer.
const readyCacheFor = time.Second

// Ready reports whether the API server answers /readyz with success, asked
// with Herald's own identity and cached for a second. A server that has
// just restarted answers requests before its authorizer has caught up, and
// refuses some with 403 meanwhile: callers ask before taking a 403 as final.
func (f *Factory) Ready(ctx context.Context) bool {
	f.readyMu.Lock()
	defer f.readyMu.Unlock()
	if time.Since(f.readyAt) < readyCacheFor {
		return f.readyCache
	}
	f.readyAt, f.readyCache = time.Now(), false
	if f.readyClient == nil {
		dc, err := discovery.NewDiscoveryClientForConfig(f.Config(""))
		if err != nil {
			return false
		}
		f.readyClient = dc.RESTClient()
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	f.readyCache = f.readyClient.Get().AbsPath("/readyz").Do(ctx).Error() == nil
	return f.readyCache
}

// Mapper returns the RESTMapper shared by every identity (discovery runs
// with Herald's own identity).
func (f *Factory) Mapper() (*Mapper, error) {
	f.mapperOnce.Do(func() {
		dc, err := discovery.NewDiscoveryClientForConfig(f.Config(""))
		if err != nil {
			f.mapperErr = fmt.Errorf("creating the discovery client: %w", err)
			return
		}
		f.mapper = NewMapper(dc)
	})
	return f.mapper, f.mapperErr
}

// Mapper maps kinds to resources from the API server's discovery
// information, read when first needed and cached; a kind it does not know
// makes it read discovery again (a CRD installed since), at most once a
// second.
type Mapper struct {
	m *restmapper.DeferredDiscoveryRESTMapper

	mu        sync.Mutex
	lastReset time.Time
}

// minResetInterval bounds how often an unknown kind makes the mapper read
// discovery again, so a Sensor naming a kind that does not exist does not
// send a discovery request per event.
const minResetInterval = time.Second

// NewMapper returns a Mapper reading discovery through dc.
func NewMapper(dc discovery.DiscoveryInterface) *Mapper {
	return &Mapper{m: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))}
}

// RESTMapping returns the mapping of kind in group/version. An unknown kind
// is an error for which meta.IsNoMatchError is true.
func (m *Mapper) RESTMapping(group, version, kind string) (*meta.RESTMapping, error) {
	gk := schema.GroupKind{Group: group, Kind: kind}
	mapping, err := m.m.RESTMapping(gk, version)
	if err == nil || !isNoMatch(err) {
		return mapping, err
	}
	if !m.mayReset() {
		return nil, err
	}
	m.m.Reset()
	return m.m.RESTMapping(gk, version)
}

func (m *Mapper) mayReset() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now := time.Now(); now.Sub(m.lastReset) >= minResetInterval {
		m.lastReset = now
		return true
	}
	return false
}

func isNoMatch(err error) bool {
	var derr *discovery.ErrGroupDiscoveryFailed
	return meta.IsNoMatchError(err) || errors.As(err, &derr)
}
