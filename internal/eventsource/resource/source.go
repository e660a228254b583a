package resource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource"
)

func init() {
	eventsource.Default.Register(eventsource.Kind{
		Name:           Kind,
		Configs:        configs,
		New:            New,
		ReportsStarted: true,
		Doc: "Watches Kubernetes objects of one resource and emits an event when one is added, updated or deleted.\n\n" +
			"The event data has Argo's shape, `{\"type\": \"ADD|UPDATE|DELETE\", \"body\": {...}, \"oldBody\": {...}, \"group\", \"version\", \"resource\"}`. " +
			"`eventTypes` must not be empty; `filter.prefix`, `filter.labels`, `filter.fields`, `filter.createdBy` and `filter.afterStart` narrow the objects as in Argo. " +
			"Sources that watch the same resource in the same namespace share one informer.\n\n" +
			"Differences from Argo Events: each event has an id derived from the object's uid, resourceVersion and the change, so an event " +
			"sent again after a crash is dropped by the bus. With a state store, Herald remembers what it reported and, after a restart, " +
			"reports only what changed meanwhile (Argo reports every object as ADD again). Where Argo drops events silently Herald does not: " +
			"an empty field operation means `==`, a non-string field is matched through its JSON text, a DELETE found by relisting is reported, " +
			"and an invalid regular expression or operation is a configuration error.",
	})
}

// configs returns the resource events of an EventSource spec.
func configs(spec *v1alpha1.EventSourceSpec) map[string]any {
	return eventsource.ConfigsOf(spec.Resource)
}

// Defaults of a source's tunables.
const (
	defaultWorkers = 4
	// defaultSaveInterval bounds how long a change already published may
	// stay unsaved: a crash in that window makes the next start report the
	// object again (as ADD when it changed meanwhile), so it is kept short;
	// a save happens only when something changed.
	defaultSaveInterval = 100 * time.Millisecond
	defaultRetryMin     = 100 * time.Millisecond
	defaultRetryMax     = 10 * time.Second
	// defaultBodyLimit bounds the size of one object's body kept in the
	// checkpoint; larger objects keep only their metadata.
	defaultBodyLimit = 64 << 10
	// otherErrorAttempts bounds the emits of an event failing with an error
	// that does not wrap eventbus.ErrUnavailable.
	otherErrorAttempts = 3
)

// source is one resource event of an EventSource.
type source struct {
	cfg         *config
	env         eventsource.Env
	log         *slog.Logger
	esNamespace string
	esName      string
	eventName   string

	workers      int
	saveInterval time.Duration
	retryMin     time.Duration
	retryMax     time.Duration
	bodyLimit    int
	now          func() time.Time
	// synced, when set (by tests), is closed once the handler has seen the
	// initial list and queued what it found.
	synced chan struct{}
}

var _ eventsource.Source = (*source)(nil)

// New builds the source of one resource event. spec.Config is a
// *v1alpha1.ResourceEventSource (or the value). It fails with an error
// wrapping ErrInvalidConfig on a bad configuration, and with
// eventsource.ErrNoCluster when env has no Kubernetes client.
func New(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
	var rc *v1alpha1.ResourceEventSource
	switch c := spec.Config.(type) {
	case *v1alpha1.ResourceEventSource:
		rc = c
	case v1alpha1.ResourceEventSource:
		rc = &c
	default:
		return nil, fmt.Errorf("%w: configuration of event %q is a %T, not a ResourceEventSource", ErrInvalidConfig, spec.Name, spec.Config)
	}
	cfg, err := parseConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("resource event %q: %w", spec.Name, err)
	}
	if env.Dynamic == nil {
		return nil, fmt.Errorf("resource event %q: %w", spec.Name, eventsource.ErrNoCluster)
	}
	if env.Shared == nil {
		env.Shared = eventsource.NewShared()
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	s := &source{
		cfg: cfg, env: env, log: env.Logger, eventName: spec.Name, esNamespace: env.Namespace,
		workers: defaultWorkers, saveInterval: defaultSaveInterval,
		retryMin: defaultRetryMin, retryMax: defaultRetryMax, bodyLimit: defaultBodyLimit,
		now: time.Now,
	}
	if es := spec.EventSource; es != nil {
		s.esName = es.Name
		if es.Namespace != "" {
			s.esNamespace = es.Namespace
		}
	}
	if cfg.gvr.Group == "" && cfg.gvr.Resource == "secrets" {
		s.bodyLimit = 0 // never persist Secret data
	}
	return s, nil
}

// stateKey names the source's checkpoint in the StateStore.
func (s *source) stateKey() string {
	return Kind + "/" + s.esNamespace + "/" + s.esName + "/" + s.eventName
}

// Start watches the resource until ctx ends. See the package documentation
// for what it emits and how it resumes after a restart.
func (s *source) Start(ctx context.Context, emit eventsource.Emit) error {
	if err := s.probe(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	var (
		cp      *checkpoint
		pending map[string]known
		started = s.now()
	)
	if s.env.State != nil {
		var err error
		cp, pending, err = loadCheckpoint(ctx, s.env.State, s.stateKey(), s.cfg.viewFingerprint(), started, s.log)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		started = cp.started
	}

	q := newKeyedQueue()
	var workers sync.WaitGroup
	for range s.workers {
		workers.Go(func() {
			for {
				c, ok := q.pop()
				if !ok {
					return
				}
				s.process(ctx, c, emit, cp, started)
				q.done(c.key)
			}
		})
	}
	saverCtx, stopSaver := context.WithCancel(ctx)
	var saver sync.WaitGroup
	if cp != nil {
		saver.Go(func() { cp.run(saverCtx, s.saveInterval) })
	}

	pool := informersOf(s.env.Shared)
	si := pool.acquire(s.env.Dynamic, s.cfg.gvr, s.cfg.namespace)
	h := &handler{cfg: s.cfg, q: q, log: s.log, pending: pending, resumed: pending != nil}
	reg, err := si.informer.AddEventHandler(h)
	if err != nil {
		q.close()
		workers.Wait()
		stopSaver()
		saver.Wait()
		pool.release(si)
		return fmt.Errorf("watching %s: %w", s.cfg.describe(), err)
	}
	s.log.Info("watching resources", "resource", s.cfg.describe(), "resumed", pending != nil)

	var resume sync.WaitGroup
	resume.Go(func() {
		select {
		case <-ctx.Done():
		case <-reg.HasSyncedChecker().Done():
			h.finishResume()
			s.env.ReportStarted()
			if s.synced != nil {
				close(s.synced)
			}
		}
	})

	<-ctx.Done()
	if err := cache.ShutDownEventHandler(si.informer, reg); err != nil {
		s.log.Warn("removing the informer handler failed", "error", err)
	}
	resume.Wait()
	q.close()
	workers.Wait()
	pool.release(si)
	stopSaver()
	saver.Wait()
	if cp != nil {
		saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := cp.flush(saveCtx); err != nil {
			s.log.Error("saving the checkpoint at stop failed; changes since the last save will be reported again", "error", err)
		}
	}
	return nil
}

// probe lists one object to turn an unknown resource or missing permission
// into a clear error, instead of an informer that retries forever.
func (s *source) probe(ctx context.Context) error {
	_, err := s.env.Dynamic.Resource(s.cfg.gvr).Namespace(s.cfg.namespace).List(ctx, metav1.ListOptions{Limit: 1})
	switch {
	case err == nil:
		return nil
	case apierrors.IsNotFound(err):
		if s.cfg.namespace != "" {
			if _, err := s.env.Dynamic.Resource(s.cfg.gvr).List(ctx, metav1.ListOptions{Limit: 1}); err == nil {
				return fmt.Errorf("listing %s: %w: the resource is cluster-scoped; leave namespace empty", s.cfg.describe(), ErrUnknownResource)
			}
		}
		return fmt.Errorf("listing %s: %w (check group, version and resource; resource is the plural name, e.g. services)", s.cfg.describe(), ErrUnknownResource)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("listing %s: %w", s.cfg.describe(), err)
	default:
		// Transient: the informer retries on its own.
		s.log.Warn("listing the watched resource failed; the watch will keep trying", "resource", s.cfg.describe(), "error", err)
		return nil
	}
}

// process emits the event of one change if it passes the filters, then
// records the change in the checkpoint. When ctx ends before the event was
// emitted, nothing is recorded: the next start reports the change again.
func (s *source) process(ctx context.Context, c change, emit eventsource.Emit, cp *checkpoint, started time.Time) {
	log := func() *slog.Logger { return s.log.With("key", c.key, "type", string(c.typ)) }
	body, err := json.Marshal(c.obj.Object)
	if err != nil {
		log().Error("cannot encode the object; skipping its event", "error", err)
		return
	}
	var ent *entry
	if cp != nil && c.typ != v1alpha1.DELETE {
		if ent, err = newEntry(c.obj, s.bodyLimit); err != nil {
			log().Error("cannot checkpoint the object", "error", err)
		}
	}
	var oldBody []byte
	switch {
	case c.old != nil:
		if oldBody, err = json.Marshal(c.old.Object); err != nil {
			log().Error("cannot encode the previous object; sending a null oldBody", "error", err)
			oldBody = nil
		}
	case c.prior != nil:
		// Emitted even when the content is the checkpoint's: a state in
		// between may have been emitted after the checkpoint was saved.
		if old, err := c.prior.object(); err == nil {
			oldBody, _ = json.Marshal(old.Object)
		}
	}
	now := s.now()
	if c.replay || s.cfg.passes(c, body, started, now) {
		ev, err := s.newEvent(c.typ, string(c.obj.GetUID()), c.obj.GetResourceVersion(), body, oldBody, now)
		if err != nil {
			log().Error("cannot build the event; skipping it", "error", err)
		} else if !s.emitWithRetry(ctx, s.intending(emit, cp, c, ent), ev, log) {
			return
		}
	}
	if cp == nil {
		return
	}
	if c.typ == v1alpha1.DELETE {
		cp.forget(c.key, string(c.obj.GetUID()))
	} else if ent != nil {
		cp.record(c.key, ent)
	}
}

// intending returns emit preceded, for an ADD, by the save of its intent,
// so that a restart knows the ADD may have been emitted (intents.go). ent
// is the change's checkpoint entry, reused when it holds the whole body.
func (s *source) intending(emit eventsource.Emit, cp *checkpoint, c change, ent *entry) eventsource.Emit {
	if cp == nil || c.typ != v1alpha1.ADD {
		return emit
	}
	e := ent
	if e == nil || (e.trimmed && s.intentBodyLimit() > s.bodyLimit) {
		var err error
		if e, err = newEntry(c.obj, s.intentBodyLimit()); err != nil {
			return func(context.Context, *event.Event) error { return err }
		}
	}
	return func(ctx context.Context, ev *event.Event) error {
		if err := cp.intend(ctx, c.key, e); err != nil {
			return fmt.Errorf("%w: %w", eventbus.ErrUnavailable, err)
		}
		return emit(ctx, ev)
	}
}

// intentBodyLimit is the body size an intent keeps: none for Secrets.
func (s *source) intentBodyLimit() int {
	if s.bodyLimit == 0 {
		return 0
	}
	return max(s.bodyLimit, intentBodyLimit)
}

// emitWithRetry emits ev until the bus takes it. Errors wrapping
// eventbus.ErrUnavailable are retried with backoff for as long as ctx lasts;
// other errors a few times, then the event is logged and given up. It
// returns false when ctx ended first.
func (s *source) emitWithRetry(ctx context.Context, emit eventsource.Emit, ev *event.Event, log func() *slog.Logger) bool {
	delay := s.retryMin
	for attempt := 1; ; attempt++ {
		err := emit(ctx, ev)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		unavailable := errors.Is(err, eventbus.ErrUnavailable)
		if !unavailable && attempt >= otherErrorAttempts {
			log().Error("emitting the event failed; giving up on it", "event_id", ev.ID, "attempt", attempt, "error", err)
			return true
		}
		if attempt == 1 || attempt%10 == 0 {
			log().Warn("emitting the event failed; retrying", "event_id", ev.ID, "attempt", attempt, "error", err)
		}
		wait := delay/2 + rand.N(delay/2+1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		delay = min(delay*2, s.retryMax)
	}
}
