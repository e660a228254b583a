package fault

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sink is the HTTP trigger target of a test: it records the event id
// (X-Herald-Event-Id) of every request by the number n in its body. It can
// be stopped and started again on the same port, answer slowly, or answer
// a chosen status.
type sink struct {
	port int
	// delay is how long each request is held before its answer (a slow
	// target); set before start.
	delay time.Duration
	// status, when set, chooses the answer to the event n (default 200);
	// set before start.
	status func(n int) int

	mu         sync.Mutex
	srv        *http.Server
	ids        map[int]map[string]int // n → event id → deliveries
	deliveries int
}

// newSink starts a sink on a free port; the test's cleanup stops it.
func newSink(tb testing.TB, opts ...func(*sink)) *sink {
	tb.Helper()
	s := &sink{port: freePort(tb), ids: map[int]map[string]int{}}
	for _, o := range opts {
		o(s)
	}
	s.start(tb)
	tb.Cleanup(s.stop)
	return s
}

// url is where the sink listens.
func (s *sink) url() string { return fmt.Sprintf("http://127.0.0.1:%d/", s.port) }

// start listens on the sink's port (again, after stop).
func (s *sink) start(tb testing.TB) {
	tb.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
	require.NoError(tb, err)
	srv := &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// stop closes the listener and every connection: the target is down.
func (s *sink) stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

func (s *sink) serve(w http.ResponseWriter, r *http.Request) {
	// The payload carries n as a string (a parameter's default type).
	var body struct {
		N json.Number `json:"n"`
	}
	raw, err := io.ReadAll(r.Body)
	var n int
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	if err == nil {
		n, err = strconv.Atoi(body.N.String())
	}
	if err != nil {
		http.Error(w, fmt.Sprintf("body %q has no n", raw), http.StatusBadRequest)
		return
	}
	if s.delay > 0 {
		t := time.NewTimer(s.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	code := http.StatusOK
	if s.status != nil {
		code = s.status(n)
	}
	if code == http.StatusOK {
		s.record(n, r.Header.Get("X-Herald-Event-Id"))
	}
	w.WriteHeader(code)
}

func (s *sink) record(n int, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids[n] == nil {
		s.ids[n] = map[string]int{}
	}
	s.ids[n][id]++
	s.deliveries++
}

// tally is what a sink received.
type tally struct {
	// distinct is how many different n arrived, deliveries how many
	// requests succeeded in all.
	distinct, deliveries int
	// duplicates is deliveries - distinct.
	duplicates int
}

// tally counts what arrived.
func (s *sink) tally() tally {
	s.mu.Lock()
	defer s.mu.Unlock()
	return tally{distinct: len(s.ids), deliveries: s.deliveries, duplicates: s.deliveries - len(s.ids)}
}

// missing returns the n in [0, total) that never arrived, at most 20.
func (s *sink) missing(total int) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for n := range total {
		if s.ids[n] == nil {
			out = append(out, n)
			if len(out) == 20 {
				break
			}
		}
	}
	return out
}

// checkIDs fails unless each n arrived under one event id only: every
// duplicate is recognisable by its id.
func (s *sink) checkIDs(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for n, ids := range s.ids {
		if len(ids) != 1 {
			tb.Errorf("event %d arrived under %d different ids: %v", n, len(ids), ids)
		}
		if _, empty := ids[""]; empty {
			tb.Errorf("event %d arrived without an X-Herald-Event-Id", n)
		}
	}
}
