package k8s

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/sensor/param"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/clients"
)

var _ trigger.Trigger = (*k8sTrigger)(nil)

// k8sTrigger is one k8s trigger of a Sensor.
type k8sTrigger struct {
	env      trigger.Env
	clients  clientSet
	sensor   *v1alpha1.Sensor
	name     string
	identity string
	// prepared is the template's k8s spec made ready at construction; a
	// request whose trigger-level parameters rewrote it is prepared anew.
	prepared *prepared
	// reconciler keeps the objects of triggers with reconcile: true.
	reconciler *reconciler

	httpOnce     sync.Once
	httpVerify   *http.Client
	httpInsecure *http.Client
}

// prepared is a k8s spec checked and ready to execute.
type prepared struct {
	spec   *v1alpha1.StandardK8STrigger
	op     v1alpha1.KubernetesResourceOperation
	params *param.Compiled
	// static is the decoded object of a resource or inline source (copied
	// before each use); staticErr is why it could not be decoded.
	static    *unstructured.Unstructured
	staticErr error
	// staticJSON is static encoded, for the parameters to start from.
	staticJSON []byte
}

// object returns the object of one firing: the source, as read by read
// (which may read the live object), with the parameters applied. A static
// source that is not replaced by the live object starts from its JSON,
// saving a copy and an encoding per firing.
func (p *prepared) object(events map[string]*event.Event, read func() (*unstructured.Unstructured, error)) (*unstructured.Unstructured, error) {
	if p.staticJSON != nil && (!p.spec.LiveObject || p.op != v1alpha1.K8sOperationUpdate) && p.params.Len() > 0 {
		obj, err := p.params.ObjectFrom(p.static.Object, p.staticJSON, events)
		if err != nil {
			return nil, trigger.Terminal(fmt.Errorf("applying the k8s parameters: %w", err))
		}
		return obj, nil
	}
	obj, err := read()
	if err != nil {
		return nil, err
	}
	if err := p.params.ApplyToObject(obj, events); err != nil {
		return nil, trigger.Terminal(fmt.Errorf("applying the k8s parameters: %w", err))
	}
	return obj, nil
}

func newTrigger(env trigger.Env, opts Options, rc *reconciler, sensor *v1alpha1.Sensor, t *v1alpha1.Trigger) (*k8sTrigger, error) {
	if t == nil || t.Template == nil || t.Template.K8s == nil {
		return nil, errors.New("building the k8s trigger: the template has no k8s field")
	}
	p, err := prepare(t.Template.K8s)
	if err != nil {
		return nil, fmt.Errorf("building k8s trigger %s: %w", t.Template.Name, err)
	}
	cs, err := newClientSet(env, opts)
	if err != nil {
		return nil, fmt.Errorf("building k8s trigger %s: %w", t.Template.Name, err)
	}
	sa := opts.DefaultServiceAccount
	if sensor.Spec.Template != nil && sensor.Spec.Template.ServiceAccountName != "" {
		sa = sensor.Spec.Template.ServiceAccountName
	}
	identity := ""
	if sa != "" {
		identity = clients.ServiceAccountIdentity(sensor.Namespace, sa)
	}
	kt := &k8sTrigger{env: env, clients: cs, sensor: sensor, name: t.Template.Name, identity: identity, prepared: p, reconciler: rc}
	if p.spec.Reconcile && cs.mapper != nil {
		// Start now, so that objects kept before a restart are watched
		// again before any event comes.
		kt.reconcileRun(sensor)
	}
	return kt, nil
}

// prepare checks spec and decodes what does not change between firings.
func prepare(spec *v1alpha1.StandardK8STrigger) (*prepared, error) {
	p := &prepared{spec: spec, op: spec.Operation}
	if p.op == "" {
		p.op = v1alpha1.K8sOperationCreate
	}
	switch p.op {
	case v1alpha1.K8sOperationCreate, v1alpha1.K8sOperationUpdate, v1alpha1.K8sOperationPatch,
		v1alpha1.K8sOperationDelete, v1alpha1.K8sOperationApply:
	default:
		return nil, trigger.Terminal(fmt.Errorf("unknown operation %q (want create, update, patch, delete or apply)", spec.Operation))
	}
	params, err := param.Compile(spec.Parameters)
	if err != nil {
		return nil, trigger.Terminal(fmt.Errorf("compiling the k8s parameters: %w", err))
	}
	p.params = params
	if spec.Source == nil {
		return nil, trigger.Terminal(errors.New("the k8s trigger has no source"))
	}
	switch {
	case spec.Source.Resource != nil:
		p.static, p.staticErr = decodeJSON(spec.Source.Resource.Value, "source.resource")
	case spec.Source.Inline != nil:
		p.static, p.staticErr = decodeYAML([]byte(*spec.Source.Inline), "source.inline")
	}
	if p.static != nil {
		if p.staticJSON, err = p.static.MarshalJSON(); err != nil {
			return nil, trigger.Terminal(fmt.Errorf("encoding the k8s source: %w", err))
		}
	}
	return p, nil
}

// Execute performs the operation for one firing. Errors the API server
// gives for a request no retry can fix (forbidden, invalid, bad request, an
// unknown kind, an object that already exists without this event's id) and
// errors in the rendered object are terminal; the others (conflicts,
// timeouts, throttling, server errors, unreachable sources) are transient.
func (t *k8sTrigger) Execute(ctx context.Context, req *trigger.Request) (trigger.Result, error) {
	p, sensor, err := t.forRequest(req)
	if err != nil {
		return trigger.Result{}, err
	}
	obj, err := p.object(req.Events, func() (*unstructured.Unstructured, error) {
		obj, err := t.fetch(ctx, p, sensor.Namespace)
		if err == nil && p.spec.LiveObject && p.op == v1alpha1.K8sOperationUpdate {
			obj, err = t.live(ctx, obj)
		}
		return obj, err
	})
	if err != nil {
		return trigger.Result{}, err
	}
	target, err := t.target(obj, sensor.Namespace)
	if err != nil {
		return trigger.Result{}, err
	}
	if p.op != v1alpha1.K8sOperationDelete {
		if err := applyOwner(target.obj, p.spec.Owner, req.Events); err != nil {
			return trigger.Result{}, err
		}
	}
	res, err := t.write(ctx, p, target, sensor, req)
	err = t.forbiddenWhileStarting(ctx, err)
	if err != nil || p.op == v1alpha1.K8sOperationDelete || req.Trigger == nil || req.Trigger.Policy == nil {
		return res, err
	}
	return trigger.AwaitLabels(ctx, req.Trigger.Policy.K8s, target.ref(), func(ctx context.Context) (map[string]string, error) {
		obj, err := target.client.Get(ctx, target.obj.GetName(), metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		return obj.GetLabels(), nil
	}, res)
}

// write runs the operation. An object kept by reconcile is not repaired
// meanwhile; a delete releases it first, and a write with reconcile set
// keeps the object as written.
func (t *k8sTrigger) write(ctx context.Context, p *prepared, tg *target, sensor *v1alpha1.Sensor, req *trigger.Request) (trigger.Result, error) {
	if tg.obj.GetName() == "" || (!p.spec.Reconcile && p.op != v1alpha1.K8sOperationDelete) {
		return t.run(ctx, p, tg, sensor, req)
	}
	held := t.reconciler.hold(keyOf(tg.mapping.Resource, tg.obj))
	defer t.reconciler.unhold(held)
	if p.op == v1alpha1.K8sOperationDelete {
		t.reconciler.forget(ctx, held)
		return t.run(ctx, p, tg, sensor, req)
	}
	res, err := t.run(ctx, p, tg, sensor, req)
	if err == nil {
		t.reconciler.keep(ctx, t.reconcileRun(sensor), held, tg, p.op)
	}
	return res, err
}

// reconcileRun returns the trigger's run in the reconciler.
func (t *k8sTrigger) reconcileRun(sensor *v1alpha1.Sensor) *run {
	return t.reconciler.attach(t.env, t.clients, t.identity, sensor, t.name)
}

// target is the rendered object with what is needed to act on it.
type target struct {
	obj      *unstructured.Unstructured
	mapping  *meta.RESTMapping
	client   dynamic.ResourceInterface
	identity string
	// written is the API server's answer to the write (nil for delete).
	written *unstructured.Unstructured
}

// forbiddenWhileStarting turns a final 403 into one worth retrying while
// the API server is not ready: one that has just restarted answers before
// its authorizer has caught up with the RBAC objects, and refuses what the
// ServiceAccount may do. A 403 from a ready server stays final.
func (t *k8sTrigger) forbiddenWhileStarting(ctx context.Context, err error) error {
	return t.clients.forbiddenWhileStarting(ctx, err)
}

func (c clientSet) forbiddenWhileStarting(ctx context.Context, err error) error {
	if err == nil || !trigger.IsTerminal(err) || !apierrors.IsForbidden(err) || c.ready == nil || c.ready(ctx) {
		return err
	}
	return fmt.Errorf("%w (the API server is not ready yet: trying again)", trigger.Retryable(err))
}

// ref names the object, e.g. "networking.k8s.io/v1 Ingress playground/fortune".
func (tg *target) ref() string {
	name := tg.obj.GetName()
	if name == "" {
		name = tg.obj.GetGenerateName() + "*"
	}
	if ns := tg.obj.GetNamespace(); ns != "" {
		name = ns + "/" + name
	}
	return tg.obj.GetAPIVersion() + " " + tg.obj.GetKind() + " " + name
}

// fail wraps err, returned while doing verb (e.g. "creating") on the object,
// with the object and identity, and classifies it.
func (tg *target) fail(verb string, err error) error {
	as := ""
	if tg.identity != "" {
		as = " as " + tg.identity
	}
	return classify(fmt.Errorf("%s %s%s: %w", verb, tg.ref(), as, err))
}

// target maps obj to its resource, defaults its namespace and picks the
// client of the trigger's identity.
func (t *k8sTrigger) target(obj *unstructured.Unstructured, sensorNamespace string) (*target, error) {
	mapping, err := t.mapping(obj)
	if err != nil {
		return nil, err
	}
	ns := ""
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		if ns = obj.GetNamespace(); ns == "" {
			ns = sensorNamespace
		}
	}
	obj.SetNamespace(ns)
	dyn, err := t.clients.dynamic(t.identity)
	if err != nil {
		return nil, fmt.Errorf("getting the client of %q: %w", t.identity, err)
	}
	return &target{obj: obj, mapping: mapping, client: dyn.Resource(mapping.Resource).Namespace(ns), identity: t.identity}, nil
}

// mapping returns the REST mapping of obj's kind.
func (t *k8sTrigger) mapping(obj *unstructured.Unstructured) (*meta.RESTMapping, error) {
	if t.clients.mapper == nil {
		return nil, trigger.Terminal(errNoCluster)
	}
	gvk := obj.GroupVersionKind()
	if gvk.Kind == "" || gvk.Version == "" {
		return nil, trigger.Terminal(fmt.Errorf("the rendered object has no apiVersion or kind (apiVersion %q, kind %q)", obj.GetAPIVersion(), obj.GetKind()))
	}
	m, err := t.clients.mapper.RESTMapping(gvk.Group, gvk.Version, gvk.Kind)
	if err != nil {
		return nil, classify(fmt.Errorf("finding the resource of %s %s: %w", obj.GetAPIVersion(), obj.GetKind(), err))
	}
	return m, nil
}

// live returns the object obj names as it is in the cluster (the
// liveObject option of the update operation).
func (t *k8sTrigger) live(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	if obj.GetName() == "" {
		return nil, trigger.Terminal(errors.New("liveObject: the source object must have a name"))
	}
	m, err := t.mapping(obj)
	if err != nil {
		return nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace && obj.GetNamespace() == "" {
		return nil, trigger.Terminal(errors.New("liveObject: the source object must have a namespace"))
	}
	dyn, err := t.clients.dynamic(t.identity)
	if err != nil {
		return nil, fmt.Errorf("getting the client of %q: %w", t.identity, err)
	}
	tg := &target{obj: obj, mapping: m, identity: t.identity}
	live, err := dyn.Resource(m.Resource).Namespace(obj.GetNamespace()).Get(ctx, obj.GetName(), metav1.GetOptions{})
	if err != nil {
		return nil, tg.fail("reading the live object", err)
	}
	return live, nil
}
