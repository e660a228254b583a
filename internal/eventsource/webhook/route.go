package webhook

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
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

// maskedAuthorization replaces the Authorization header in event data, as
// Argo does, so that credentials do not travel on the bus.
const maskedAuthorization = "*** Masked Auth Secret ***"

// route is one endpoint of a server: it checks a request, turns it into an
// event and answers once the event is published.
type route struct {
	endpoint   string
	method     string
	token      []byte // nil: no bearer token required
	maxPayload int64
	metadata   map[string]string
	idScope    string // eventsource and event, for idempotency-key ids
	emit       eventsource.Emit
	ctx        context.Context // the source's; its end fails publishes in flight
	log        *slog.Logger

	mu       sync.RWMutex
	closed   bool
	inflight sync.WaitGroup
}

// newRoute builds the endpoint of the source, reading its bearer token.
func (s *source) newRoute(ctx context.Context, emit eventsource.Emit) (*route, error) {
	rt := &route{
		endpoint:   s.cfg.Endpoint,
		method:     s.cfg.Method,
		maxPayload: s.cfg.GetMaxPayloadSize(),
		metadata:   s.cfg.Metadata,
		emit:       emit,
		ctx:        ctx,
		log:        s.env.Logger,
	}
	if es := s.spec.EventSource; es != nil {
		rt.idScope = es.Namespace + "/" + es.Name + "/" + s.spec.Name
	} else {
		rt.idScope = "/" + s.spec.Name
	}
	if s.cfg.AuthSecret != nil {
		token, err := s.secret(ctx, "bearer token", s.cfg.AuthSecret)
		if err != nil {
			return nil, err
		}
		rt.token = token
	}
	return rt, nil
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

// ServeHTTP handles one request on the endpoint.
func (rt *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !rt.enter() {
		retryLater(w, "endpoint is stopping")
		return
	}
	defer rt.inflight.Done()
	if rt.token != nil && !rt.authorized(w, r) {
		return
	}
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		reply(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed")
		return
	}
	if r.ContentLength > rt.maxPayload {
		reply(w, http.StatusRequestEntityTooLarge, "request body too large")
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rt.maxPayload))
	if err != nil {
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			reply(w, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		reply(w, http.StatusBadRequest, "reading the request body failed")
		return
	}
	data, err := buildPayload(r, raw, rt.metadata)
	if err != nil {
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
		reply(w, http.StatusInternalServerError, "failed to record event")
		return
	}
	reply(w, http.StatusOK, "success")
}

// authorized checks the bearer token in constant time, answering 401 when
// there is none and 403 when it is wrong.
func (rt *route) authorized(w http.ResponseWriter, r *http.Request) bool {
	given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="herald"`)
		reply(w, http.StatusUnauthorized, "missing bearer token")
		return false
	}
	if subtle.ConstantTimeCompare([]byte(given), rt.token) != 1 {
		reply(w, http.StatusForbidden, "invalid bearer token")
		return false
	}
	return true
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
