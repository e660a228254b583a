package file

import (
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
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
