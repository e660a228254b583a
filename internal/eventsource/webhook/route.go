package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource"
)

// IdempotencyKeyHeader names the request header whose value makes a
// request's event id deterministic.
const IdempotencyKeyHeader = "Idempotency-Key"

// route is one endpoint of a server: it checks a request, turns it into an
// event and answers once the event is published.
type route struct {
	endpoint   string
	method     string
	token      []byte // nil: no bearer token required
	basic      *basicCredentials
	maxPayload int64
	check      func(r *http.Request, body []byte) error
	payload    func(r *http.Request, body []byte) ([]byte, error)
	idScope    string // eventsource and event, for idempotency-key ids
	emit       eventsource.Emit
	ctx        context.Context // the source's; its end fails publishes in flight
	log        *slog.Logger
	reject     func(reason string) // counts a refused request

	mu       sync.RWMutex
	closed   bool
	inflight sync.WaitGroup
}

// newRoute builds the route of an endpoint, reading its bearer token.
func newRoute(ctx context.Context, env eventsource.Env, spec eventsource.Spec, ep Endpoint, emit eventsource.Emit) (*route, error) {
	rt := &route{
		endpoint:   ep.Context.Endpoint,
		method:     ep.Context.Method,
		maxPayload: ep.Context.GetMaxPayloadSize(),
		check:      ep.Check,
		payload:    ep.Payload,
		emit:       emit,
		ctx:        ctx,
		log:        env.Logger,
		reject:     env.Reject,
	}
	if es := spec.EventSource; es != nil {
		rt.idScope = es.Namespace + "/" + es.Name + "/" + spec.Name
	} else {
		rt.idScope = "/" + spec.Name
	}
	if ep.Context.AuthSecret != nil {
		token, err := ReadSecret(ctx, env, ep.Kind+" "+spec.Name, "bearer token", ep.Context.AuthSecret)
		if err != nil {
			return nil, err
		}
		rt.token = token
	}
	if a := ep.Context.BasicAuth; a != nil {
		if a.Username == nil || a.Password == nil {
			return nil, fmt.Errorf("%s %s: basicAuth needs both username and password", ep.Kind, spec.Name)
		}
		user, err := ReadSecret(ctx, env, ep.Kind+" "+spec.Name, "basic auth username", a.Username)
		if err != nil {
			return nil, err
		}
		pass, err := ReadSecret(ctx, env, ep.Kind+" "+spec.Name, "basic auth password", a.Password)
		if err != nil {
			return nil, err
		}
		rt.basic = &basicCredentials{user: user, pass: pass}
	}
	return rt, nil
}

// basicCredentials are the username and password a request must present.
type basicCredentials struct {
	user, pass []byte
}

// enter admits a request unless the route is closing.
func (rt *route) enter() bool {
	rt.mu.RLock()
	defer rt.mu.RUnlock()
	if rt.closed {
		return false
	}
	rt.inflight.Add(1)
	return true
}

// close refuses new requests and waits for those in flight.
func (rt *route) close() {
	rt.mu.Lock()
	rt.closed = true
	rt.mu.Unlock()
	rt.inflight.Wait()
}

// ServeHTTP handles one request on the endpoint. Credentials are checked
// first; the body is read only up to the endpoint's limit (a Content-Length
// over it is refused before reading), and a failed check answers 401 with
// the same text whatever was wrong, so that a client learns nothing about
// the expected value.
func (rt *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !rt.enter() {
		retryLater(w, "endpoint is stopping")
		return
	}
	defer rt.inflight.Done()
	if (rt.token != nil || rt.basic != nil) && !rt.authorized(r) {
		if rt.token != nil {
			w.Header().Add("WWW-Authenticate", `Bearer realm="herald"`)
		}
		if rt.basic != nil {
			w.Header().Add("WWW-Authenticate", `Basic realm="herald"`)
		}
		rt.reject("unauthorized")
		unauthorized(w)
		return
	}
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		rt.reject("method not allowed")
		reply(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed")
		return
	}
	if r.ContentLength > rt.maxPayload {
		rt.reject("body too large")
		reply(w, http.StatusRequestEntityTooLarge, "request body too large")
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rt.maxPayload))
	if err != nil {
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			rt.reject("body too large")
			reply(w, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		rt.reject("body unreadable")
		reply(w, http.StatusBadRequest, "reading the request body failed")
		return
	}
	if rt.check != nil {
		if err := rt.check(r, raw); err != nil {
			rt.log.Debug("webhook request refused", "endpoint", rt.endpoint, "error", err)
			rt.reject("unauthorized")
			unauthorized(w)
			return
		}
	}
	data, err := rt.payload(r, raw)
	switch {
	case errors.Is(err, ErrIgnored):
		reply(w, http.StatusOK, "ignored")
		return
	case err != nil:
		rt.reject("invalid body")
		reply(w, http.StatusBadRequest, err.Error())
		return
	}
	ev := &event.Event{
		ID:              rt.eventID(r),
		Time:            time.Now().UTC(),
		DataContentType: event.ContentTypeJSON,
		Data:            data,
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(rt.ctx, cancel)()
	if err := rt.emit(ctx, ev); err != nil {
		rt.log.Warn("webhook event not published", "event_id", ev.ID, "error", err)
		if transient(ctx, err) {
			retryLater(w, "event bus unavailable, try again later")
			return
		}
		if errors.Is(err, eventbus.ErrTooLarge) {
			rt.reject("event too large for the bus")
			reply(w, http.StatusRequestEntityTooLarge, "event too large for the event bus")
			return
		}
		reply(w, http.StatusInternalServerError, "failed to record event")
		return
	}
	reply(w, http.StatusOK, "success")
}

// authorized checks the request's credentials in constant time: a bearer
// token (authSecret) or a username and password (basicAuth); with both set,
// either lets a request in (one Authorization header carries one of them).
func (rt *route) authorized(r *http.Request) bool {
	if rt.token != nil {
		if given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && EqualToken(given, rt.token) {
			return true
		}
	}
	if rt.basic != nil {
		// Both compared whatever the first gives, in constant time.
		user, pass, ok := r.BasicAuth()
		userOK, passOK := EqualToken(user, rt.basic.user), EqualToken(pass, rt.basic.pass)
		if ok && userOK && passOK {
			return true
		}
	}
	return false
}

// unauthorized answers 401 with one text for every reason.
func unauthorized(w http.ResponseWriter) {
	reply(w, http.StatusUnauthorized, "unauthorized")
}

// eventID is a fresh id, or one derived from the Idempotency-Key header so
// that the bus drops a client's repeat of the same request.
func (rt *route) eventID(r *http.Request) string {
	key := r.Header.Get(IdempotencyKeyHeader)
	if key == "" {
		return uuid.NewString()
	}
	sum := sha256.Sum256([]byte(rt.idScope + "\x00" + key))
	return hex.EncodeToString(sum[:16])
}

// transient reports whether a publish error means "try again later".
func transient(ctx context.Context, err error) bool {
	return errors.Is(err, eventbus.ErrUnavailable) || errors.Is(err, eventbus.ErrClosed) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil
}

func retryLater(w http.ResponseWriter, msg string) {
	w.Header().Set("Retry-After", "1")
	reply(w, http.StatusServiceUnavailable, msg)
}

func reply(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, msg)
}
