package controller

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/engine"
	"github.com/herald-dev/herald/internal/metrics"
)

// DefaultCountsInterval is how often the objects' status counts are
// brought up to date: often enough for `kubectl get sensors` to be
// current, rarely enough that a busy Sensor does not write its status on
// every event.
const DefaultCountsInterval = 15 * time.Second

// countBoard holds the last counts of every object the runtime runs, read
// from the metrics, for the reconcilers to write into status.
type countBoard struct {
	mu      sync.Mutex
	sources map[engine.Ref]v1alpha1.EventSourceCounts
	sensors map[engine.Ref]v1alpha1.SensorCounts
}

func newCountBoard() *countBoard {
	return &countBoard{sources: map[engine.Ref]v1alpha1.EventSourceCounts{}, sensors: map[engine.Ref]v1alpha1.SensorCounts{}}
}

// eventSource returns the counts of an EventSource (nil before the first
// refresh that saw it).
func (b *countBoard) eventSource(ref engine.Ref) *v1alpha1.EventSourceCounts {
	return lookup(b, b.sources, ref)
}

// sensor returns the counts of a Sensor (nil before the first refresh that
// saw it).
func (b *countBoard) sensor(ref engine.Ref) *v1alpha1.SensorCounts { return lookup(b, b.sensors, ref) }

// lookup returns a copy of m[ref], nil when missing, under b's lock.
func lookup[T any](b *countBoard, m map[engine.Ref]T, ref engine.Ref) *T {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok := m[ref]; ok {
		return &c
	}
	return nil
}

// refresh reads the counts of refs from snap and returns the refs whose
// counts changed.
func (b *countBoard) refresh(snap metrics.Snapshot, refs []engine.Ref) []engine.Ref {
	var changed []engine.Ref
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ref := range refs {
		switch ref.Kind {
		case v1alpha1.KindEventSource:
			l := map[string]string{"namespace": ref.Namespace, "eventsource": ref.Name}
			c := v1alpha1.EventSourceCounts{
				EventsPublished: count(snap, metrics.NameEventsPublished, l, nil),
				PublishErrors:   count(snap, metrics.NamePublishErrors, l, nil),
				Restarts:        count(snap, metrics.NameSourceRestarts, l, nil),
			}
			if old, ok := b.sources[ref]; !ok || old != c {
				b.sources[ref] = c
				changed = append(changed, ref)
			}
		case v1alpha1.KindSensor:
			l := map[string]string{"namespace": ref.Namespace, "sensor": ref.Name}
			rejected := map[string]string{"namespace": ref.Namespace, "sensor": ref.Name, "reason": metrics.ReasonFilterRejected}
			c := v1alpha1.SensorCounts{
				EventsReceived:     count(snap, metrics.NameEventsReceived, l, nil),
				EventsFiltered:     count(snap, metrics.NameEventsFiltered, rejected, nil),
				FilterErrors:       count(snap, metrics.NameEventsFiltered, l, map[string]string{"reason": metrics.ReasonFilterRejected}),
				TriggersSucceeded:  count(snap, metrics.NameTriggersSucceeded, l, nil),
				TriggersFailed:     count(snap, metrics.NameTriggersFailed, l, nil),
				EventsDeadLettered: count(snap, metrics.NameDeadLettered, l, nil),
			}
			if old, ok := b.sensors[ref]; !ok || old != c {
				b.sensors[ref] = c
				changed = append(changed, ref)
			}
		}
	}
	return changed
}

func count(snap metrics.Snapshot, name string, labels, except map[string]string) int64 {
	return int64(min(snap.Sum(name, labels, except), 1<<62))
}

// runCounts refreshes the board from reg every interval until ctx ends,
// and asks for the status of each object whose counts changed to be
// written again.
func runCounts(ctx context.Context, b *countBoard, rt *engine.Runtime, reg prometheus.Gatherer, interval time.Duration, log *slog.Logger, changed func(engine.Ref)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		snap, err := metrics.Gather(reg)
		if err != nil {
			log.Warn("reading the counts for status failed", "error", err)
			continue
		}
		for _, ref := range b.refresh(snap, rt.Refs()) {
			changed(ref)
		}
	}
}
