package webhook

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

func TestStatusCodes(t *testing.T) {
	port := webhooktest.FreePort(t)
	cfg := hook(port, "/push", "POST")
	limit := int64(64)
	cfg.MaxPayloadSize = &limit
	cfg.AuthSecret = &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "hook"}, Key: "token"}
	rec := &sourcetest.Recorder{}
	env := webhooktest.Env(webhooktest.Secrets{"hook/token": "s3cret\n"})
	var rejectMu sync.Mutex
	var rejected []string
	env.Rejected = func(reason string) {
		rejectMu.Lock()
		defer rejectMu.Unlock()
		rejected = append(rejected, reason)
	}
	s := start(t, env, testSpec("push", cfg), rec.Emit)
	auth := http.Header{"Authorization": {"Bearer s3cret"}}
	base := "http://127.0.0.1:" + port

	tests := []struct {
		name       string
		method     string
		url        string
		header     http.Header
		body       string
		emitErr    error
		wantStatus int
		wantHeader map[string]string
		wantReject string // the reason counted in herald_eventsource_inputs_rejected_total
	}{
		{name: "accepted", method: "POST", url: s.url, header: auth, body: `{"a":1}`, wantStatus: 200},
		{name: "wrong method", method: "PUT", url: s.url, header: auth, body: `{}`, wantStatus: 405, wantHeader: map[string]string{"Allow": "POST"}, wantReject: "method not allowed"},
		{name: "no token", method: "POST", url: s.url, body: `{}`, wantStatus: 401, wantHeader: map[string]string{"WWW-Authenticate": `Bearer realm="herald"`}, wantReject: "unauthorized"},
		{name: "not a bearer token", method: "POST", url: s.url, header: http.Header{"Authorization": {"Basic czNjcmV0"}}, body: `{}`, wantStatus: 401, wantReject: "unauthorized"},
		{name: "wrong token", method: "POST", url: s.url, header: http.Header{"Authorization": {"Bearer guess"}}, body: `{}`, wantStatus: 401, wantReject: "unauthorized"},
		{name: "token prefix", method: "POST", url: s.url, header: http.Header{"Authorization": {"Bearer s3cre"}}, body: `{}`, wantStatus: 401, wantReject: "unauthorized"},
		{name: "token with a suffix", method: "POST", url: s.url, header: http.Header{"Authorization": {"Bearer s3cret2"}}, body: `{}`, wantStatus: 401, wantReject: "unauthorized"},
		{name: "wrong token, wrong method", method: "PUT", url: s.url, header: http.Header{"Authorization": {"Bearer guess"}}, body: `{}`, wantStatus: 401, wantReject: "unauthorized"},
		{name: "body over the limit", method: "POST", url: s.url, header: auth, body: strings.Repeat("x", 65), wantStatus: 413, wantReject: "body too large"},
		{name: "body at the limit", method: "POST", url: s.url, header: auth, body: strings.Repeat("x", 64), wantStatus: 200},
		{name: "bad form", method: "POST", url: s.url, header: http.Header{"Authorization": {"Bearer s3cret"}, "Content-Type": {"application/x-www-form-urlencoded"}}, body: "a=%zz", wantStatus: 400, wantReject: "invalid body"},
		{name: "bus unavailable", method: "POST", url: s.url, header: auth, body: `{}`, emitErr: fmt.Errorf("publishing: %w", eventbus.ErrUnavailable), wantStatus: 503, wantHeader: map[string]string{"Retry-After": "1"}},
		{name: "bus closed", method: "POST", url: s.url, header: auth, body: `{}`, emitErr: fmt.Errorf("publishing: %w", eventbus.ErrClosed), wantStatus: 503, wantHeader: map[string]string{"Retry-After": "1"}},
		{name: "publish deadline", method: "POST", url: s.url, header: auth, body: `{}`, emitErr: context.DeadlineExceeded, wantStatus: 503},
		{name: "other publish error", method: "POST", url: s.url, header: auth, body: `{}`, emitErr: errors.New("invalid event"), wantStatus: 500},
		{name: "event over the bus's max payload", method: "POST", url: s.url, header: auth, body: `{}`, emitErr: fmt.Errorf("publishing: %w", eventbus.ErrTooLarge), wantStatus: 413, wantReject: "event too large for the bus"},
		{name: "unknown endpoint", method: "POST", url: base + "/other", header: auth, body: `{}`, wantStatus: 404},
		{name: "endpoint with a trailing slash", method: "POST", url: s.url + "/", header: auth, body: `{}`, wantStatus: 404},
		{name: "health", method: "GET", url: base + "/health", wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.SetErr(tt.emitErr)
			defer rec.SetErr(nil)
			before := len(rec.Events())
			rejectMu.Lock()
			rejected = nil
			rejectMu.Unlock()
			resp, _ := webhooktest.Send(t, tt.method, tt.url, "", tt.body, tt.header)
			require.Equal(t, tt.wantStatus, resp.StatusCode)
			for k, v := range tt.wantHeader {
				require.Equal(t, v, resp.Header.Get(k), "header %s", k)
			}
			wantEvents := before
			if tt.wantStatus == 200 && tt.url == s.url {
				wantEvents++
			}
			require.Len(t, rec.Events(), wantEvents, "an event is recorded only for a 200")
			rejectMu.Lock()
			defer rejectMu.Unlock()
			if tt.wantReject == "" {
				require.Empty(t, rejected)
			} else {
				require.Equal(t, []string{tt.wantReject}, rejected)
			}
		})
	}
}

// TestTooLargeWithoutLength sends a chunked body, whose size the server
// learns only while reading it.
func TestTooLargeWithoutLength(t *testing.T) {
	port := webhooktest.FreePort(t)
	cfg := hook(port, "/push", "POST")
	limit := int64(16)
	cfg.MaxPayloadSize = &limit
	rec := &sourcetest.Recorder{}
	s := start(t, webhooktest.Env(nil), testSpec("push", cfg), rec.Emit)
	req, err := http.NewRequest("POST", s.url, io.MultiReader(strings.NewReader(strings.Repeat("y", 10)), strings.NewReader(strings.Repeat("z", 10))))
	require.NoError(t, err)
	req.ContentLength = -1
	resp, err := webhooktest.Client.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.Empty(t, rec.Events())
}

// TestUnreadableBody sends a malformed chunked body over a raw connection.
func TestUnreadableBody(t *testing.T) {
	port := webhooktest.FreePort(t)
	rec := &sourcetest.Recorder{}
	start(t, webhooktest.Env(nil), testSpec("push", hook(port, "/push", "POST")), rec.Emit)
	conn, err := net.Dial("tcp", "127.0.0.1:"+port)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /push HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nnot a chunk\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Empty(t, rec.Events())
}

// TestNoAnswerBeforePublish holds the publish and checks that the client
// has no answer until the bus acknowledged.
func TestNoAnswerBeforePublish(t *testing.T) {
	port := webhooktest.FreePort(t)
	entered := make(chan struct{})
	release := make(chan struct{})
	emit := func(ctx context.Context, ev *event.Event) error {
		close(entered)
		<-release
		return nil
	}
	s := start(t, webhooktest.Env(nil), testSpec("push", hook(port, "/push", "POST")), emit)
	answered := make(chan int, 1)
	go func() {
		resp, err := webhooktest.Client.Post(s.url, "application/json", strings.NewReader(`{}`))
		if err != nil {
			answered <- -1
			return
		}
		_ = resp.Body.Close()
		answered <- resp.StatusCode
	}()
	<-entered
	select {
	case code := <-answered:
		require.FailNow(t, "answered before the publish returned", "status %d", code)
	default:
	}
	close(release)
	require.Equal(t, http.StatusOK, <-answered)
}

// TestStopFailsPublishInFlight stops the source while a publish waits: the
// publish's context ends, the client gets 503, and Start returns after it.
func TestStopFailsPublishInFlight(t *testing.T) {
	port := webhooktest.FreePort(t)
	entered := make(chan struct{})
	emit := func(ctx context.Context, ev *event.Event) error {
		close(entered)
		<-ctx.Done()
		return ctx.Err()
	}
	s := start(t, webhooktest.Env(nil), testSpec("push", hook(port, "/push", "POST")), emit)
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := webhooktest.Client.Post(s.url, "application/json", strings.NewReader(`{}`))
		if err == nil {
			_ = resp.Body.Close()
		}
		answered <- resp
	}()
	<-entered
	s.stop(t)
	resp := <-answered
	require.NotNil(t, resp)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, "1", resp.Header.Get("Retry-After"))
}

func TestIdempotencyKey(t *testing.T) {
	port := webhooktest.FreePort(t)
	rec := &sourcetest.Recorder{}
	s := start(t, webhooktest.Env(nil), testSpec("push", hook(port, "/push", "POST")), rec.Emit)
	for _, key := range []string{"a", "a", "b", ""} {
		h := http.Header{}
		if key != "" {
			h.Set(IdempotencyKeyHeader, key)
		}
		resp, _ := webhooktest.Send(t, "POST", s.url, "application/json", `{}`, h)
		require.Equal(t, 200, resp.StatusCode)
	}
	evs := rec.Events()
	require.Len(t, evs, 4)
	require.Len(t, evs[0].ID, 32)
	require.Equal(t, evs[0].ID, evs[1].ID, "the same key gives the same id")
	require.NotEqual(t, evs[0].ID, evs[2].ID, "another key gives another id")
	require.Len(t, evs[3].ID, 36, "without a key, a fresh UUID")
	require.NotEqual(t, evs[0].ID, evs[3].ID)

	// The id also depends on the event: another webhook with the same key
	// gets another id.
	other := &route{idScope: "argo-events/hooks/other"}
	req, err := http.NewRequest("POST", s.url, nil)
	require.NoError(t, err)
	req.Header.Set(IdempotencyKeyHeader, "a")
	require.NotEqual(t, evs[0].ID, other.eventID(req))
}

// TestSlowClient dribbles a request's headers one byte at a time: the
// server closes the connection once ReadHeaderTimeout has passed, however
// often bytes arrive.
func TestSlowClient(t *testing.T) {
	port := webhooktest.FreePort(t)
	to := DefaultTimeouts
	to.ReadHeader = 200 * time.Millisecond
	start(t, webhooktest.Env(nil), testSpec("push", hook(port, "/push", "POST")), (&sourcetest.Recorder{}).Emit, WithTimeouts(to))
	conn, err := net.Dial("tcp", "127.0.0.1:"+port)
	require.NoError(t, err)
	defer conn.Close()
	closed := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, conn)
		closed <- err
	}()
	header := "POST /push HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 10000)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for i := 0; ; i++ {
		select {
		case <-closed:
			return // the server hung up on the slow client
		case <-deadline:
			require.FailNow(t, "the server kept the slow connection open")
		case <-tick.C:
			if _, err := conn.Write([]byte{header[i%len(header)]}); err != nil {
				return // the server hung up
			}
		}
	}
}
