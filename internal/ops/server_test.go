package ops

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

func TestEndpoints(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "herald_test_total", Help: "A test counter."})
	reg.MustRegister(c)
	c.Inc()
	s := New(reg, slog.New(slog.DiscardHandler))
	var notReady atomic.Pointer[error]
	s.AddReadinessCheck("bus", func() error {
		if e := notReady.Load(); e != nil {
			return *e
		}
		return nil
	})
	var unhealthy atomic.Pointer[error]
	s.AddHealthCheck("store", func() error {
		if e := unhealthy.Load(); e != nil {
			return *e
		}
		return nil
	})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	full := errors.New("no space left on device")
	for _, tc := range []struct {
		name, path string
		notReady   error
		unhealthy  error
		code       int
		contains   string
	}{
		{"healthz", "/healthz", nil, nil, 200, "ok"},
		{"healthz while not ready", "/healthz", errors.New("not connected"), nil, 200, "ok"},
		{"unhealthy", "/healthz", nil, full, 503, "unhealthy\nstore: no space left on device"},
		{"ready", "/readyz", nil, nil, 200, "ok"},
		{"not ready", "/readyz", errors.New("not connected"), nil, 503, "bus: not connected"},
		{"unhealthy is not ready", "/readyz", nil, full, 503, "not ready\nstore: no space left on device"},
		{"metrics", "/metrics", nil, nil, 200, "herald_test_total 1"},
		{"unknown", "/nope", nil, nil, 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			notReady.Store(&tc.notReady)
			unhealthy.Store(&tc.unhealthy)
			code, body := get(tc.path)
			require.Equal(t, tc.code, code)
			require.True(t, strings.Contains(body, tc.contains), body)
		})
	}
}

func TestProfilingOnlyWhenEnabled(t *testing.T) {
	for _, enabled := range []bool{false, true} {
		s := New(prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
		if enabled {
			s.EnableProfiling()
		}
		srv := httptest.NewServer(s.Handler())
		for path, want := range map[string]string{"/debug/pprof/": "goroutine", "/debug/pprof/heap?debug=1": "heap profile"} {
			resp, err := http.Get(srv.URL + path)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			_ = resp.Body.Close()
			if enabled {
				require.Equal(t, http.StatusOK, resp.StatusCode, path)
				require.Contains(t, string(body), want, path)
			} else {
				require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
			}
		}
		srv.Close()
	}
}
