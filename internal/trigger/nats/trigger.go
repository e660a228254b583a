// Package nats is the "nats" trigger kind: it publishes one message per
// firing on a NATS subject, its body built from the payload parameters, as
// Argo Events' nats trigger does.
//
// A firing succeeds once the server has received the message: the publish
// is followed by a flush, a round trip to the server. Plain NATS keeps no
// message: a subscriber that is not connected at that moment never sees it,
// so delivery to the target is at most once. Each message carries the
// firing's event id in the Nats-Msg-Id header, so that a JetStream stream
// capturing the subject drops a firing published again.
package nats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	natsgo "github.com/nats-io/nats.go"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/natsauth"
	"github.com/herald-dev/herald/internal/sensor/param"
	"github.com/herald-dev/herald/internal/trigger"
)

// Kind is the "nats" trigger kind.
var Kind = trigger.Kind{
	Name: "nats",
	New:  New,
	Doc: "Publishes a message on a NATS subject, its body built from event values.\n\n" +
		"`payload` parameters build the JSON body, `parameters` rewrite the trigger's own fields (`url`, `subject`) per firing; " +
		"`tls` sets up the connection from Secrets. Triggers on the same server share one connection.\n\n" +
		"A firing succeeds once the server has received the message (a flush, one round trip, follows the publish). Plain NATS " +
		"keeps no message, so a subscriber that is not connected then never sees it: delivery to the target is at most once. " +
		"A connection error or a server that does not answer is retried with the trigger's `retryStrategy`; a subject or payload " +
		"that cannot be built, or a message over the server's size limit, is final.\n\n" +
		"Differences from Argo Events: `parameters` may rewrite the subject (Argo publishes on the manifest's subject whatever they " +
		"say), and each message carries the firing's event id in the `Nats-Msg-Id` header, so that a JetStream stream capturing " +
		"the subject drops a firing published again.",
}

func init() { trigger.Default.Register(Kind) }

const (
	// flushTimeout bounds the round trip confirming a publish when the
	// firing's context has no deadline.
	flushTimeout = 10 * time.Second
	// connectTimeout bounds one connection attempt.
	connectTimeout = 5 * time.Second
)

// Trigger publishes NATS messages. It is safe for concurrent use.
type Trigger struct {
	namespace string
	name      string
	spec      *v1alpha1.NATSTrigger
	payload   *param.Compiled
	params    *param.Compiled
	secrets   trigger.SecretReader
	conns     *Conns
}

var _ trigger.Trigger = (*Trigger)(nil)

// New builds the nats trigger of t, sharing the process's connections.
func New(env trigger.Env, sensor *v1alpha1.Sensor, t *v1alpha1.Trigger) (trigger.Trigger, error) {
	return NewWithConns(env, sensor, t, defaultConns)
}

// NewWithConns builds the nats trigger of t, taking its connections from
// conns (tests give their own and close it).
func NewWithConns(env trigger.Env, sensor *v1alpha1.Sensor, t *v1alpha1.Trigger, conns *Conns) (*Trigger, error) {
	if t.Template == nil || t.Template.NATS == nil {
		return nil, errors.New("building nats trigger: template has no nats section")
	}
	spec := t.Template.NATS
	payload, err := param.CompilePayload(spec.Payload)
	if err != nil {
		return nil, fmt.Errorf("building nats trigger %s: compiling payload: %w", t.Template.Name, err)
	}
	params, err := param.Compile(spec.Parameters)
	if err != nil {
		return nil, fmt.Errorf("building nats trigger %s: compiling parameters: %w", t.Template.Name, err)
	}
	tr := &Trigger{name: t.Template.Name, spec: spec, payload: payload, params: params, secrets: env.Secrets, conns: conns}
	if sensor != nil {
		tr.namespace = sensor.Namespace
	}
	return tr, nil
}

// Execute publishes the message of one firing and waits for the server to
// have received it. Errors reaching the server are transient; a missing
// payload, a payload or parameter that does not resolve, an invalid subject
// or a message over the server's limit are terminal.
func (t *Trigger) Execute(ctx context.Context, req *trigger.Request) (trigger.Result, error) {
	spec, body, err := t.resolve(req)
	if err != nil {
		return trigger.Result{}, trigger.Terminal(fmt.Errorf("preparing nats message: %w", err))
	}
	ref := "nats " + redactURLs(spec.URL) + " " + spec.Subject
	if err := ctx.Err(); err != nil {
		return trigger.Result{Ref: ref}, fmt.Errorf("publishing on %s: %w", ref, err)
	}
	// The dial outlives this firing when its context ends first: the next
	// firing finds the connection ready.
	dialCtx := context.WithoutCancel(ctx)
	nc, release, err := t.conns.acquire(ctx, t.connKey(spec), func() (*natsgo.Conn, error) { return t.connect(dialCtx, spec) })
	if err != nil {
		return trigger.Result{Ref: ref}, fmt.Errorf("connecting to nats %s: %w", redactURLs(spec.URL), err)
	}
	defer release()
	msg := &natsgo.Msg{Subject: spec.Subject, Data: body}
	if req.EventID != "" {
		msg.Header = natsgo.Header{natsgo.MsgIdHdr: []string{req.EventID}}
	}
	if err := nc.PublishMsg(msg); err != nil {
		err = fmt.Errorf("publishing on %s: %w", ref, err)
		if errors.Is(err, natsgo.ErrBadSubject) || errors.Is(err, natsgo.ErrMaxPayload) {
			return trigger.Result{Ref: ref}, trigger.Terminal(err)
		}
		return trigger.Result{Ref: ref}, err
	}
	fctx := ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		fctx, cancel = context.WithTimeout(ctx, flushTimeout)
		defer cancel()
	}
	if err := nc.FlushWithContext(fctx); err != nil {
		return trigger.Result{Ref: ref}, fmt.Errorf("confirming the publish on %s: %w", ref, err)
	}
	return trigger.Result{Ref: ref}, nil
}

// resolve returns the request's nats section with its own parameters
// applied, and the message body.
func (t *Trigger) resolve(req *trigger.Request) (*v1alpha1.NATSTrigger, []byte, error) {
	spec, payload, params := t.spec, t.payload, t.params
	if req.Trigger != nil && req.Trigger.Template != nil && req.Trigger.Template.NATS != nil &&
		req.Trigger.Template.NATS != t.spec {
		spec = req.Trigger.Template.NATS
		var err error
		if payload, err = param.CompilePayload(spec.Payload); err != nil {
			return nil, nil, fmt.Errorf("compiling payload: %w", err)
		}
		if params, err = param.Compile(spec.Parameters); err != nil {
			return nil, nil, fmt.Errorf("compiling parameters: %w", err)
		}
	}
	spec, err := trigger.ApplyParams(spec, params, req.Events, "nats trigger")
	if err != nil {
		return nil, nil, err
	}
	switch {
	case spec.URL == "":
		return nil, nil, errors.New("no url")
	case spec.Subject == "" || strings.ContainsAny(spec.Subject, " \t\r\n"):
		return nil, nil, fmt.Errorf("subject %q is not a NATS subject", spec.Subject)
	case spec.Payload == nil:
		return nil, nil, errors.New("no payload: the nats trigger publishes what its payload parameters build")
	}
	body, err := payload.Payload(req.Events)
	if err != nil {
		return nil, nil, fmt.Errorf("building payload: %w", err)
	}
	return spec, body, nil
}

// connKey identifies the connection spec needs: the namespace its Secrets
// come from, the server URL, the TLS setup and the credentials' Secrets.
func (t *Trigger) connKey(spec *v1alpha1.NATSTrigger) string {
	tlsKey, _ := json.Marshal(spec.TLS)   // selectors always encode
	authKey, _ := json.Marshal(spec.Auth) // the same
	return t.namespace + "\x00" + spec.URL + "\x00" + string(tlsKey) + "\x00" + string(authKey)
}

// connect dials the server of spec. Publishes fail while the connection is
// down (nothing is buffered), so that the firing is retried rather than
// reported as sent.
func (t *Trigger) connect(ctx context.Context, spec *v1alpha1.NATSTrigger) (*natsgo.Conn, error) {
	opts := []natsgo.Option{
		natsgo.Name("herald"),
		natsgo.Timeout(connectTimeout),
		natsgo.ReconnectBufSize(-1),
		natsgo.MaxReconnects(-1),
	}
	if spec.TLS != nil {
		cfg, err := trigger.TLSConfig(ctx, spec.TLS, t.secrets, t.namespace)
		if err != nil {
			return nil, err
		}
		opts = append(opts, natsgo.Secure(cfg))
	}
	auth, err := natsauth.Option(ctx, spec.Auth, func(ctx context.Context, sel *corev1.SecretKeySelector) ([]byte, error) {
		return t.secrets.Read(ctx, t.namespace, sel)
	})
	switch {
	case errors.Is(err, natsauth.ErrInvalid):
		return nil, trigger.Terminal(fmt.Errorf("setting up the credentials: %w", err))
	case err != nil:
		return nil, fmt.Errorf("setting up the credentials: %w", err)
	case auth != nil:
		opts = append(opts, auth)
	}
	return natsgo.Connect(spec.URL, opts...)
}

// redactURLs writes a comma-separated list of server URLs without their
// passwords.
func redactURLs(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if u, err := url.Parse(p); err == nil && u.User != nil {
			p = u.Redacted()
		}
		parts[i] = p
	}
	return strings.Join(parts, ",")
}
