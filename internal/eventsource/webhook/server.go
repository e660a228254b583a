package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// shutdownTimeout bounds a server's graceful stop once its last endpoint
// left; connections still open after it are closed.
const shutdownTimeout = 5 * time.Second

// serverSet holds the running webhook servers of a process, one per listen
// address.
type serverSet struct {
	mu     sync.Mutex
	byAddr map[string]*server
}

func newServerSet() *serverSet { return &serverSet{byAddr: map[string]*server{}} }

// serverConfig is what the first endpoint of a port decides for its server.
type serverConfig struct {
	addr     string
	cert     *tls.Certificate
	timeouts Timeouts
	log      *slog.Logger
}

// server is one HTTP server and the endpoints it routes to.
type server struct {
	cfg       serverConfig
	http      *http.Server
	serveDone chan struct{}

	mu     sync.RWMutex
	routes map[string][]*route // endpoint → routes, the first one serves
	count  int

	busy admission // the requests being handled
}

// acquire adds rt to the server of cfg.addr, starting the server (listening
// at once, so that a busy port is an error here) when it is the first.
func (ss *serverSet) acquire(cfg serverConfig, rt *route) (*server, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byAddr[cfg.addr]
	if !ok {
		var err error
		if s, err = startServer(cfg); err != nil {
			return nil, err
		}
		ss.byAddr[cfg.addr] = s
	} else if (cfg.cert != nil) != (s.cfg.cert != nil) {
		cfg.log.Warn("webhook port already served with another TLS setting; the first endpoint's setting applies",
			"port", cfg.addr, "endpoint", rt.endpoint)
	}
	s.add(rt)
	return s, nil
}

// release removes rt from s, waits for its requests in flight, and stops s
// when no endpoint is left.
func (ss *serverSet) release(s *server, rt *route) {
	s.remove(rt)
	rt.close()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if !s.empty() || ss.byAddr[s.cfg.addr] != s {
		return // still in use, or already stopped by another release
	}
	delete(ss.byAddr, s.cfg.addr)
	s.stop()
}

func startServer(cfg serverConfig) (*server, error) {
	ln := inheritedListener(cfg.addr)
	if ln != nil {
		cfg.log.Info("webhook port passed by the launcher (socket activation)", "address", ln.Addr().String())
	} else {
		var err error
		if ln, err = net.Listen("tcp", cfg.addr); err != nil {
			return nil, err
		}
	}
	s := &server{cfg: cfg, serveDone: make(chan struct{}), routes: map[string][]*route{}, busy: newAdmission(maxConcurrentRequests)}
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: cfg.timeouts.ReadHeader,
		ReadTimeout:       cfg.timeouts.Read,
		WriteTimeout:      cfg.timeouts.Write,
		IdleTimeout:       cfg.timeouts.Idle,
		ErrorLog:          slog.NewLogLogger(cfg.log.Handler(), slog.LevelDebug),
	}
	if cfg.cert != nil {
		s.http.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cfg.cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, s.http.TLSConfig)
	}
	go func() {
		defer close(s.serveDone)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			cfg.log.Error("webhook server stopped", "port", cfg.addr, "error", err)
		}
	}()
	return s, nil
}

// stop shuts the server down gracefully, then forcibly, and waits for it.
func (s *server) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.http.Shutdown(ctx); err != nil {
		_ = s.http.Close()
	}
	<-s.serveDone
}

func (s *server) add(rt *route) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[rt.endpoint] = append(s.routes[rt.endpoint], rt)
	s.count++
	if len(s.routes[rt.endpoint]) > 1 {
		rt.log.Warn("another webhook already serves this endpoint on this port; this one takes over when it stops",
			"port", s.cfg.addr, "endpoint", rt.endpoint)
	}
}

func (s *server) remove(rt *route) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.routes[rt.endpoint]
	i := slices.Index(rs, rt)
	if i < 0 {
		return
	}
	rs = slices.Delete(rs, i, i+1)
	if len(rs) == 0 {
		delete(s.routes, rt.endpoint)
	} else {
		s.routes[rt.endpoint] = rs
	}
	s.count--
}

func (s *server) empty() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.count == 0
}

// ServeHTTP routes a request to its endpoint by exact path; /health answers
// 200 unless an endpoint has that path.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	var rt *route
	if rs := s.routes[r.URL.Path]; len(rs) > 0 {
		rt = rs[0]
	}
	s.mu.RUnlock()
	switch {
	case rt != nil:
		if !s.busy.enter() {
			retryLater(w, "too many requests in progress, try again later")
			return
		}
		defer s.busy.leave()
		rt.ServeHTTP(w, r)
	case r.URL.Path == "/health":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("OK"))
	default:
		http.NotFound(w, r)
	}
}
