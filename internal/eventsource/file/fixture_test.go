package file

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
)

func testEnv() eventsource.Env {
	return eventsource.Env{Logger: slog.New(slog.DiscardHandler), Namespace: "argo-events"}
}

func testSpec(name string, cfg *v1alpha1.FileEventSource) eventsource.Spec {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "files", Namespace: "argo-events"}}
	return eventsource.Spec{EventSource: es, Name: name, Config: cfg}
}

// readySignal is a WithReady callback and the channel closed when it is
// called.
func readySignal() (Option, <-chan struct{}) {
	ch := make(chan struct{})
	var once sync.Once
	return WithReady(func() { once.Do(func() { close(ch) }) }), ch
}

// waitReady waits until the source watches its directory.
func waitReady(t *testing.T, ready <-chan struct{}) {
	t.Helper()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the source never watched its directory")
	}
}

// recorder is an Emit that records events and fails while err is set.
type recorder struct {
	mu     sync.Mutex
	events []*event.Event
	err    error
	tries  int
}

func (r *recorder) emit(_ context.Context, ev *event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tries++
	if r.err != nil {
		return r.err
	}
	cp := *ev
	r.events = append(r.events, &cp)
	return nil
}

func (r *recorder) setErr(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

func (r *recorder) all() []*event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*event.Event(nil), r.events...)
}

func (r *recorder) attempts() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tries
}

// run starts src with emit in the background; it is stopped with the test
// and must then return nil.
func run(t *testing.T, src eventsource.Source, emit eventsource.Emit) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Start(ctx, emit) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			require.FailNow(t, "the source did not stop")
		}
	})
}
