package eventsource

import (
	"sync"
	"sync/atomic"
)

// Metrics receives the runner's counts, per EventSource and event name. An
// implementation must be safe for concurrent use; Stats is one, and the
// Prometheus exporter is another.
type Metrics interface {
	// EventEmitted counts an event the bus acknowledged.
	EventEmitted(namespace, eventSource, event string)
	// EventFailed counts an event whose publish failed.
	EventFailed(namespace, eventSource, event string)
	// SourceRestarted counts a source that stopped with an error and is
	// started again.
	SourceRestarted(namespace, eventSource, event string)
	// InputRejected counts an input the source dropped for good (a body
	// that is not JSON where jsonBody is set, a message the bus refuses),
	// by a short constant reason such as "not JSON".
	InputRejected(namespace, eventSource, event, reason string)
}

// StatsKey names one event of one EventSource.
type StatsKey struct {
	Namespace   string
	EventSource string
	Event       string
}

// Counts are the totals of one event of one EventSource.
type Counts struct {
	// Emitted counts events the bus acknowledged.
	Emitted uint64
	// Failed counts events whose publish failed.
	Failed uint64
	// Restarts counts restarts of the source after an error.
	Restarts uint64
	// Rejected counts inputs the source dropped for good.
	Rejected uint64
}

// Stats counts events in memory. The zero value is ready to use.
type Stats struct {
	mu sync.RWMutex
	m  map[StatsKey]*counters
}

type counters struct{ emitted, failed, restarts, rejected atomic.Uint64 }

var _ Metrics = (*Stats)(nil)

func (s *Stats) get(k StatsKey) *counters {
	s.mu.RLock()
	c, ok := s.m[k]
	s.mu.RUnlock()
	if ok {
		return c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.m[k]; ok {
		return c
	}
	if s.m == nil {
		s.m = map[StatsKey]*counters{}
	}
	c = &counters{}
	s.m[k] = c
	return c
}

// EventEmitted counts an acknowledged event.
func (s *Stats) EventEmitted(namespace, eventSource, event string) {
	s.get(StatsKey{namespace, eventSource, event}).emitted.Add(1)
}

// EventFailed counts a failed publish.
func (s *Stats) EventFailed(namespace, eventSource, event string) {
	s.get(StatsKey{namespace, eventSource, event}).failed.Add(1)
}

// SourceRestarted counts a restart.
func (s *Stats) SourceRestarted(namespace, eventSource, event string) {
	s.get(StatsKey{namespace, eventSource, event}).restarts.Add(1)
}

// InputRejected counts a rejected input.
func (s *Stats) InputRejected(namespace, eventSource, event, _ string) {
	s.get(StatsKey{namespace, eventSource, event}).rejected.Add(1)
}

// Snapshot returns the current totals.
func (s *Stats) Snapshot() map[StatsKey]Counts {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[StatsKey]Counts, len(s.m))
	for k, c := range s.m {
		out[k] = Counts{Emitted: c.emitted.Load(), Failed: c.failed.Load(), Restarts: c.restarts.Load(), Rejected: c.rejected.Load()}
	}
	return out
}

// noMetrics discards counts.
type noMetrics struct{}

func (noMetrics) EventEmitted(string, string, string)          {}
func (noMetrics) EventFailed(string, string, string)           {}
func (noMetrics) SourceRestarted(string, string, string)       {}
func (noMetrics) InputRejected(string, string, string, string) {}
