// Package webhooktest holds the fixtures the tests of webhook-based source
// kinds (webhook, github, gitlab) share: a map of secrets, an Env bound to
// the loopback address, a free port, and a client that waits for an
// endpoint and sends deliveries to it.
package webhooktest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/testenv"
)

// Secrets is an eventsource.SecretReader (its Read method) over a map keyed
// by "name/key".
type Secrets map[string]string

// Read returns the value of the selected key, or an error when it is absent.
func (s Secrets) Read(_ context.Context, _ string, sel *corev1.SecretKeySelector) ([]byte, error) {
	v, ok := s[sel.Name+"/"+sel.Key]
	if !ok {
		return nil, errors.New("no such secret")
	}
	return []byte(v), nil
}

// Env is an Env in namespace argo-events binding webhooks to the loopback
// address and reading secrets from sec.
func Env(sec Secrets) eventsource.Env {
	return eventsource.Env{
		Logger:      slog.New(slog.DiscardHandler),
		Namespace:   "argo-events",
		Shared:      eventsource.NewShared(),
		WebhookHost: "127.0.0.1",
		Secrets:     sec.Read,
	}
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort(t testing.TB) string {
	t.Helper()
	port, err := testenv.FreePort()
	require.NoError(t, err)
	return strconv.Itoa(port)
}

// Client sends requests without keeping connections (no leaked goroutines).
var Client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}

// Run runs src with emit until the test ends, when Start must return nil,
// and waits until the endpoint at url is registered.
func Run(t *testing.T, src eventsource.Source, emit eventsource.Emit, url string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Start(ctx, emit) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	WaitReady(t, url, nil)
}

// WaitReady polls the endpoint with a method no webhook accepts until it
// answers with something else than 404 (the endpoint is registered). When
// done is not nil and receives the result of Start first, the test fails
// (the result is put back for the caller).
func WaitReady(t *testing.T, url string, done chan error) {
	t.Helper()
	require.Eventually(t, func() bool {
		select {
		case err := <-done:
			done <- err
			require.FailNow(t, "the source stopped", "Start returned %v", err)
		default:
		}
		req, err := http.NewRequest("PROBE", url, nil)
		require.NoError(t, err)
		resp, err := Client.Do(req)
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode != http.StatusNotFound
	}, 10*time.Second, 5*time.Millisecond)
}

// Send makes a request and returns the response with its body read. An
// empty contentType sends no Content-Type header.
func Send(t *testing.T, method, url, contentType, body string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body == "" {
		req.Body = http.NoBody
		req.ContentLength = 0
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := Client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// Deliver posts a delivery and returns the status and the answer's body.
func Deliver(t *testing.T, url, contentType, body string, header http.Header) (int, string) {
	t.Helper()
	resp, answer := Send(t, http.MethodPost, url, contentType, body, header) //nolint:bodyclose // Send has read and closed the body.
	return resp.StatusCode, answer
}
