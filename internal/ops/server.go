// Package ops serves Herald's operational endpoints: /healthz (the process
// is alive and can work: a failing health check asks for a restart),
// /readyz (every part it runs is ready), Prometheus /metrics and,
// when asked for, Go's /debug/pprof profiles.
package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/pprof"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server serves the operational endpoints.
type Server struct {
	registry *prometheus.Registry
	logger   *slog.Logger

	mu        sync.Mutex
	checks    map[string]func() error
	health    map[string]func() error
	profiling bool
}

// EnableProfiling serves Go's runtime profiles under /debug/pprof/ (CPU,
// heap, allocations, goroutines...). Call it before Handler.
func (s *Server) EnableProfiling() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profiling = true
}

// New returns a server exporting the metrics of registry.
func New(registry *prometheus.Registry, logger *slog.Logger) *Server {
	return &Server{registry: registry, logger: logger, checks: map[string]func() error{}, health: map[string]func() error{}}
}

// AddHealthCheck adds a named check /healthz runs; a non-nil error makes
// the process unhealthy (a Kubernetes liveness probe then restarts it):
// for faults only a restart cures. A failing health check also makes the
// process not ready.
func (s *Server) AddHealthCheck(name string, check func() error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.health[name] = check
}

// AddReadinessCheck adds a named check /readyz runs; a non-nil error makes
// the process not ready.
func (s *Server) AddReadinessCheck(name string, check func() error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks[name] = check
}

// Handler returns the HTTP handler of the endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		health := maps.Clone(s.health)
		s.mu.Unlock()
		answer(w, "unhealthy", run(health))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		checks, health := maps.Clone(s.checks), maps.Clone(s.health)
		s.mu.Unlock()
		answer(w, "not ready", append(run(health), run(checks)...))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{Registry: s.registry}))
	s.mu.Lock()
	profiling := s.profiling
	s.mu.Unlock()
	if profiling {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// run runs the checks in the order of their names and returns the
// failures, each as "name: error".
func run(checks map[string]func() error) []string {
	names := make([]string, 0, len(checks))
	for n := range checks {
		names = append(names, n)
	}
	sort.Strings(names)
	var failed []string
	for _, n := range names {
		if err := checks[n](); err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", n, err))
		}
	}
	return failed
}

// answer writes ok, or 503 with what (e.g. "not ready") and the failures.
func answer(w http.ResponseWriter, what string, failed []string) {
	if len(failed) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(what + "\n" + strings.Join(failed, "\n") + "\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// ListenAndServe serves on addr until ctx ends, then shuts down gracefully.
// An empty addr serves nothing and returns when ctx ends.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	if addr == "" {
		<-ctx.Done()
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening for metrics and health on %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.logger.Info("serving metrics and health", "addr", ln.Addr().String())
	return ServeUntilDone(ctx, &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}, ln, "the metrics server")
}

// ServeUntilDone runs srv on ln until ctx ends, then shuts it down,
// giving requests in flight five seconds. what names the server in errors.
func ServeUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, what string) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving %s: %w", what, err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutting %s down: %w", what, err)
	}
	return nil
}
