package resource

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

// countingState is a MemoryState that counts saves of checkpoints (not of
// intents).
type countingState struct {
	eventsource.MemoryState
	saves atomic.Int64
}

func (s *countingState) Save(ctx context.Context, key string, val []byte) error {
	if !strings.HasSuffix(key, intentsSuffix) {
		s.saves.Add(1)
	}
	return s.MemoryState.Save(ctx, key, val)
}

func TestRestartReportsExactlyTheChangesMadeWhileDown(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	env := testEnv()
	env.State = &eventsource.MemoryState{}

	first := startSource(t, env, svcConfig(ns), nil)
	for _, name := range []string{"keep", "change", "gone", "replaced"} {
		svcs.create(name, nil, map[string]string{"v": "1"})
	}
	require.ElementsMatch(t, []string{"ADD keep", "ADD change", "ADD gone", "ADD replaced"}, first.nextN(t, 4))
	first.Stop()

	// While the source is down.
	svcs.annotate("change", "v", "2")
	svcs.annotate("change", "v", "3")
	svcs.delete("gone")
	svcs.delete("replaced")
	svcs.create("replaced", nil, map[string]string{"v": "new"})
	svcs.create("new", nil, nil)

	second := startSource(t, env, svcConfig(ns), oneWorker)
	got := map[string][]decoded{}
	for range 5 {
		d := second.next(t)
		got[d.name()] = append(got[d.name()], d)
	}
	require.Len(t, got["change"], 1)
	upd := got["change"][0]
	require.Equal(t, "UPDATE", upd.Type, "two updates while down make one UPDATE")
	require.Equal(t, "3", upd.annotation(upd.Body, "v"))
	require.Equal(t, "1", upd.annotation(upd.OldBody, "v"), "oldBody is the last emitted body")

	require.Len(t, got["gone"], 1)
	del := got["gone"][0]
	require.Equal(t, "DELETE", del.Type)
	require.Equal(t, "1", del.annotation(del.Body, "v"), "a DELETE found on restart carries the last body")
	require.Equal(t, "8080", fmt.Sprint(del.Body["spec"].(map[string]any)["ports"].([]any)[0].(map[string]any)["port"]))

	require.Len(t, got["replaced"], 2)
	require.Equal(t, "DELETE", got["replaced"][0].Type, "the old object goes first")
	require.Equal(t, "ADD", got["replaced"][1].Type)
	require.Equal(t, "new", got["replaced"][1].annotation(got["replaced"][1].Body, "v"))
	require.NotEqual(t, got["replaced"][0].uid(), got["replaced"][1].uid())

	require.Len(t, got["new"], 1)
	require.Equal(t, "ADD", got["new"][0].Type)
	require.NotContains(t, got, "keep", "an unchanged object emits nothing")

	// Nothing else is pending: the next event is the sentinel's.
	svcs.create("zz-sentinel", nil, nil)
	require.Equal(t, "ADD zz-sentinel", second.next(t).brief())
	second.Stop()

	// A third start with nothing changed emits nothing before a new change.
	third := startSource(t, env, svcConfig(ns), oneWorker)
	svcs.annotate("keep", "v", "2")
	require.Equal(t, "UPDATE keep", third.next(t).brief())
}

func TestRestartWithLabelsAndAfterStart(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	env := testEnv()
	env.State = &eventsource.MemoryState{}
	cfg := svcConfig(ns)
	cfg.Filter = &v1alpha1.ResourceFilter{AfterStart: true, Labels: []v1alpha1.Selector{{Key: "app", Value: "on"}}}
	on, off := map[string]string{"app": "on"}, map[string]string{"app": "off"}

	svcs.create("old", on, nil) // before the first start: never reported as added
	first := startSource(t, env, cfg, oneWorker)
	svcs.create("leaves", on, nil)
	require.Equal(t, "ADD leaves", first.next(t).brief())
	first.Stop()

	svcs.label("leaves", off)
	svcs.create("while-down", on, nil)
	svcs.create("ignored", off, nil)

	second := startSource(t, env, cfg, oneWorker)
	require.ElementsMatch(t, []string{"DELETE leaves", "ADD while-down"}, second.nextN(t, 2),
		"afterStart counts from the first start; an object whose labels stopped matching is deleted")
	svcs.create("zz-sentinel", on, nil)
	require.Equal(t, "ADD zz-sentinel", second.next(t).brief())
}

func TestCheckpointOfAnotherConfigurationIsIgnored(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	env := testEnv()
	env.State = &eventsource.MemoryState{}
	svcs.create("a", map[string]string{"app": "x"}, nil)
	first := startSource(t, env, svcConfig(ns), nil)
	require.Equal(t, "ADD a", first.next(t).brief())
	first.Stop()

	cfg := svcConfig(ns)
	cfg.Filter = &v1alpha1.ResourceFilter{Labels: []v1alpha1.Selector{{Key: "app", Value: "x"}}}
	second := startSource(t, env, cfg, nil)
	require.Equal(t, "ADD a", second.next(t).brief(), "another selector starts afresh, as Argo does")
}

func TestAfterStartIsKeptWhenNothingWasSeen(t *testing.T) {
	ns := newNamespace(t)
	env := testEnv()
	env.State = &eventsource.MemoryState{}
	cfg := svcConfig(ns)
	cfg.Filter = &v1alpha1.ResourceFilter{AfterStart: true}
	startSource(t, env, cfg, nil).Stop() // saw no object at all

	services{t: t, ns: ns}.create("while-down", nil, nil)
	second := startSource(t, env, cfg, nil)
	require.Equal(t, "ADD while-down", second.next(t).brief())
}

func TestEventIDsAreStable(t *testing.T) {
	ns := newNamespace(t)
	services{t: t, ns: ns}.create("a", nil, nil)
	// Without a checkpoint each start reports the object again, with the
	// same id: the bus drops the repeat.
	first := startSource(t, testEnv(), svcConfig(ns), nil)
	id1 := first.next(t).ev.ID
	first.Stop()
	second := startSource(t, testEnv(), svcConfig(ns), nil)
	require.Equal(t, id1, second.next(t).ev.ID)
}

func TestCheckpointSavesAreBatched(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	env := testEnv()
	state := &countingState{}
	env.State = state
	r := startSource(t, env, svcConfig(ns), func(s *source) { s.saveInterval = time.Hour })
	const n = 40
	for i := range n {
		svcs.create(fmt.Sprintf("s-%02d", i), nil, nil)
	}
	r.nextN(t, n)
	require.EqualValues(t, 1, state.saves.Load(), "only the first checkpoint is saved before the interval (see intend)")
	r.Stop()
	require.EqualValues(t, 2, state.saves.Load(), "one save at stop for all the events")
	require.ElementsMatch(t, []string{"resource/argo-events/watcher/svc-events", "resource/argo-events/watcher/svc-events/adds"}, state.Keys())
}

func TestEmitFailuresAreRetried(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	env := testEnv()
	env.State = &eventsource.MemoryState{}
	r := startSource(t, env, svcConfig(ns), func(s *source) { s.retryMin, s.retryMax = time.Millisecond, 5*time.Millisecond })

	// The bus is down: the ADD of a is retried, with its event id, and the
	// UPDATE waits behind it.
	r.SetErr(fmt.Errorf("publishing: %w", eventbus.ErrUnavailable))
	svcs.create("a", nil, nil)
	svcs.annotate("a", "x", "1")
	require.Eventually(t, func() bool { return r.Attempts() >= 5 }, sourcetest.Wait, time.Millisecond)
	r.SetErr(nil)
	add, upd := r.next(t), r.next(t)
	require.Equal(t, []string{"ADD a", "UPDATE a"}, []string{add.brief(), upd.brief()}, "order holds across retries")
	tried := r.Tried()
	require.GreaterOrEqual(t, len(tried), 7, "five failed tries of the ADD, then the ADD and the UPDATE")
	for _, ev := range tried[:len(tried)-1] {
		require.Equal(t, add.ev.ID, ev.ID, "every try before the UPDATE is the ADD, with its id")
	}
	require.Equal(t, upd.ev.ID, tried[len(tried)-1].ID)

	// Other errors are given up after a few attempts; later events flow.
	r.SetErr(errors.New("event too large"))
	svcs.delete("a")
	require.Eventually(t, func() bool { return r.Attempts() == len(tried)+otherErrorAttempts }, sourcetest.Wait, time.Millisecond)
	for _, ev := range r.Tried()[len(tried):] {
		require.Equal(t, "DELETE", decode(t, ev).Type)
	}
	r.SetErr(nil)
	svcs.create("b", nil, nil)
	require.Equal(t, "ADD b", r.next(t).brief())
}

func TestStopDuringRetryKeepsTheChangeForTheNextStart(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	env := testEnv()
	env.State = &eventsource.MemoryState{}
	first := startSource(t, env, svcConfig(ns), func(s *source) { s.retryMin = time.Millisecond })
	svcs.create("a", nil, nil)
	require.Equal(t, "ADD a", first.next(t).brief())

	first.SetErr(eventbus.ErrUnavailable)
	svcs.annotate("a", "x", "1")
	require.Eventually(t, func() bool { return first.Attempts() > 1 }, sourcetest.Wait, time.Millisecond, "the UPDATE is tried")
	first.Stop() // the bus never took the UPDATE

	second := startSource(t, env, svcConfig(ns), nil)
	d := second.next(t)
	require.Equal(t, "UPDATE a", d.brief())
	require.Equal(t, "1", d.annotation(d.Body, "x"))
}
