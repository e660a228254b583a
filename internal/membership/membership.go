// Package membership tells the replicas of "herald controller" that share
// one cluster's work apart. Each replica holds a Lease in a shared
// namespace and renews it; every replica watches the others' Leases. The
// replicas whose Lease was renewed recently are the members, and Owner
// assigns every object to exactly one of them by rendezvous hashing, so
// that all replicas agree without talking to each other, and a replica
// that leaves (or stops renewing) hands over only its own objects.
//
// A replica that cannot renew its own Lease for a whole lease duration
// counts itself out (it owns nothing) until it renews again: the others
// will have taken its work over, and two replicas must not run it for long.
package membership

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"
)

// GroupLabel is the label whose value names the group of replicas a Lease
// belongs to.
const GroupLabel = "herald.dev/replica-group"

// Defaults of Config.
const (
	DefaultGroup         = "herald-controller"
	DefaultLeaseDuration = 5 * time.Second
)

// Config says who this replica is and where the replicas meet.
type Config struct {
	// Client reads and writes Leases.
	Client kubernetes.Interface
	// Namespace holds the Leases.
	Namespace string
	// Group names the replicas that share work (default DefaultGroup).
	Group string
	// Identity names this replica; unique among the group (a pod name).
	Identity string
	// LeaseDuration is how long a replica stays a member without renewing
	// (default DefaultLeaseDuration). A third of it is the renew interval.
	LeaseDuration time.Duration
	// Logger receives membership changes (default: discard).
	Logger *slog.Logger
	// OnChange is called, from one goroutine, each time the members change.
	OnChange func(members []string)
}

// Members is this replica's view of the group.
type Members struct {
	cfg   Config
	name  string // of this replica's Lease
	ready chan struct{}
	kick  chan struct{} // a Lease changed: evaluate again

	mu      sync.Mutex
	others  map[string]observed // by Lease name, this replica's excluded
	renewed time.Time           // when this replica last renewed its Lease
	live    []string            // sorted identities, this replica's included while fresh
	own     *coordinationv1.Lease
}

// observed is what this replica knows of another's Lease.
type observed struct {
	holder   string
	renew    time.Time     // the Lease's renewTime
	at       time.Time     // local time the renewTime was seen change
	duration time.Duration // the Lease's own duration
}

// New checks cfg and returns the membership of this replica; Run takes part.
func New(cfg Config) (*Members, error) {
	if cfg.Client == nil || cfg.Namespace == "" || cfg.Identity == "" {
		return nil, errors.New("membership needs a client, a namespace and an identity")
	}
	if cfg.Group == "" {
		cfg.Group = DefaultGroup
	}
	if cfg.LeaseDuration <= 0 {
		cfg.LeaseDuration = DefaultLeaseDuration
	}
	if cfg.LeaseDuration < 300*time.Millisecond {
		return nil, fmt.Errorf("lease duration %s is too short (at least 300ms)", cfg.LeaseDuration)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Members{
		cfg: cfg, name: leaseName(cfg.Group, cfg.Identity), ready: make(chan struct{}),
		kick: make(chan struct{}, 1), others: map[string]observed{},
	}, nil
}

// Identity is this replica's name.
func (m *Members) Identity() string { return m.cfg.Identity }

// Ready is closed once this replica holds its Lease and has seen the
// others': from then on Owner answers for the whole group.
func (m *Members) Ready() <-chan struct{} { return m.ready }

// Live lists the members, sorted.
func (m *Members) Live() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.live)
}

// Owner returns the member that owns key; empty while this replica does
// not count itself a member (before Ready, or when it could not renew).
func (m *Members) Owner(key string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !slices.Contains(m.live, m.cfg.Identity) {
		return ""
	}
	return Owner(m.live, key)
}

// Owns reports whether this replica owns key.
func (m *Members) Owns(key string) bool { return m.Owner(key) == m.cfg.Identity }

// Run holds and renews this replica's Lease and follows the others' until
// ctx ends. It returns an error only when it cannot start; failures to
// renew later are logged and tried again. Run leaves the Lease in place:
// call Release once this replica's work has stopped.
func (m *Members) Run(ctx context.Context) error {
	if err := m.renew(ctx); err != nil {
		return fmt.Errorf("creating the Lease %s/%s of this replica: %w", m.cfg.Namespace, m.name, err)
	}
	factory := informers.NewSharedInformerFactoryWithOptions(m.cfg.Client, 0,
		informers.WithNamespace(m.cfg.Namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.LabelSelector = labels.Set{GroupLabel: m.cfg.Group}.String()
		}))
	inf := factory.Coordination().V1().Leases().Informer()
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { m.observe(obj) },
		UpdateFunc: func(_, obj any) { m.observe(obj) },
		DeleteFunc: func(obj any) { m.forget(obj) },
	})
	if err != nil {
		return fmt.Errorf("watching the replicas' Leases: %w", err)
	}
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return ctx.Err()
	}
	m.evaluate()
	close(m.ready)

	renewEvery := m.cfg.LeaseDuration / 3
	renewT := time.NewTicker(renewEvery)
	defer renewT.Stop()
	checkT := time.NewTicker(m.cfg.LeaseDuration / 5)
	defer checkT.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-renewT.C:
			if err := m.renew(ctx); err != nil && ctx.Err() == nil {
				m.cfg.Logger.Warn("renewing this replica's Lease failed", "lease", m.name, "error", err)
			}
			m.evaluate()
		case <-checkT.C:
			m.evaluate()
		case <-m.kick:
			m.evaluate()
		}
	}
}

// Release deletes this replica's Lease so the others take its work over at
// once rather than after the lease duration.
func (m *Members) Release(ctx context.Context) error {
	err := m.cfg.Client.CoordinationV1().Leases(m.cfg.Namespace).Delete(ctx, m.name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting the Lease %s/%s of this replica: %w", m.cfg.Namespace, m.name, err)
	}
	m.mu.Lock()
	m.renewed = time.Time{}
	m.live = slices.DeleteFunc(m.live, func(id string) bool { return id == m.cfg.Identity })
	m.mu.Unlock()
	return nil
}

// renew writes this replica's Lease with a fresh renewTime, creating it
// when missing.
func (m *Members) renew(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.LeaseDuration/2)
	defer cancel()
	leases := m.cfg.Client.CoordinationV1().Leases(m.cfg.Namespace)
	m.mu.Lock()
	lease := m.own
	m.mu.Unlock()
	for attempt := 0; ; attempt++ {
		if lease == nil {
			got, err := leases.Get(ctx, m.name, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err):
				lease = &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: m.name, Namespace: m.cfg.Namespace}}
			case err != nil:
				return fmt.Errorf("reading: %w", err)
			default:
				lease = got
			}
		}
		lease = m.stamp(lease.DeepCopy())
		var err error
		if lease.ResourceVersion == "" {
			lease, err = leases.Create(ctx, lease, metav1.CreateOptions{})
		} else {
			lease, err = leases.Update(ctx, lease, metav1.UpdateOptions{})
		}
		if err == nil {
			m.mu.Lock()
			m.own, m.renewed = lease, time.Now()
			m.mu.Unlock()
			return nil
		}
		stale := apierrors.IsConflict(err) || apierrors.IsNotFound(err) || apierrors.IsAlreadyExists(err)
		if attempt > 0 || !stale {
			return fmt.Errorf("writing: %w", err)
		}
		lease = nil // changed or deleted meanwhile: read it again
	}
}

// stamp sets what this replica's Lease says.
func (m *Members) stamp(lease *coordinationv1.Lease) *coordinationv1.Lease {
	if lease.Labels == nil {
		lease.Labels = map[string]string{}
	}
	lease.Labels[GroupLabel] = m.cfg.Group
	lease.Labels["app.kubernetes.io/managed-by"] = "herald"
	now := metav1.NewMicroTime(time.Now())
	lease.Spec.HolderIdentity = ptr.To(m.cfg.Identity)
	lease.Spec.LeaseDurationSeconds = ptr.To(int32(max(1, (m.cfg.LeaseDuration+time.Second-1)/time.Second)))
	lease.Spec.RenewTime = &now
	if lease.Spec.AcquireTime == nil {
		lease.Spec.AcquireTime = &now
	}
	return lease
}

// observe records another replica's Lease. Its age is measured on this
// replica's clock from when its renewTime was seen to change, so clocks
// that disagree do not matter once it has been renewed once in view.
func (m *Members) observe(obj any) {
	lease, ok := obj.(*coordinationv1.Lease)
	if !ok || lease.Name == m.name || lease.Spec.HolderIdentity == nil || lease.Spec.RenewTime == nil {
		return
	}
	o := observed{holder: *lease.Spec.HolderIdentity, renew: lease.Spec.RenewTime.Time, duration: m.cfg.LeaseDuration}
	if s := lease.Spec.LeaseDurationSeconds; s != nil && *s > 0 {
		o.duration = time.Duration(*s) * time.Second
	}
	now := time.Now()
	m.mu.Lock()
	prev, seen := m.others[lease.Name]
	switch {
	case seen && prev.renew.Equal(o.renew):
		o.at = prev.at
	case seen:
		o.at = now
	default:
		o.at = o.renew // first sight: trust the writer's clock once
		if o.at.After(now) {
			o.at = now
		}
	}
	m.others[lease.Name] = o
	m.mu.Unlock()
	if !seen || !prev.renew.Equal(o.renew) {
		m.wake()
	}
}

// wake asks Run to evaluate the members again.
func (m *Members) wake() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// forget drops a deleted Lease.
func (m *Members) forget(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	lease, ok := obj.(*coordinationv1.Lease)
	if !ok {
		return
	}
	m.mu.Lock()
	delete(m.others, lease.Name)
	m.mu.Unlock()
	m.wake()
}

// evaluate recomputes the members and tells OnChange when they changed;
// only Run calls it.
func (m *Members) evaluate() {
	now := time.Now()
	m.mu.Lock()
	live := make([]string, 0, len(m.others)+1)
	if !m.renewed.IsZero() && now.Sub(m.renewed) < m.cfg.LeaseDuration {
		live = append(live, m.cfg.Identity)
	}
	for _, o := range m.others {
		if now.Sub(o.at) < o.duration && !slices.Contains(live, o.holder) {
			live = append(live, o.holder)
		}
	}
	slices.Sort(live)
	changed := !slices.Equal(live, m.live)
	m.live = live
	m.mu.Unlock()
	if !changed {
		return
	}
	m.cfg.Logger.Info("replicas changed", "replicas", live, "member", slices.Contains(live, m.cfg.Identity))
	if m.cfg.OnChange != nil {
		m.cfg.OnChange(slices.Clone(live))
	}
}

// leaseName is the name of the Lease of identity in group: a DNS
// subdomain, with a hash when the identity does not fit as it is.
func leaseName(group, identity string) string {
	b := make([]byte, 0, len(group)+1+len(identity))
	for _, r := range strings.ToLower(group + "-" + identity) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.':
			b = append(b, byte(r))
		default:
			b = append(b, '-')
		}
	}
	name := strings.Trim(string(b), "-.")
	if len(name) > 200 || name != strings.ToLower(group+"-"+identity) {
		name = fmt.Sprintf("%.180s-%x", name, score(group, identity))
	}
	return name
}
