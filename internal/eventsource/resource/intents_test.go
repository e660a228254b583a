package resource

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventsource"
)

// crashState is a MemoryState that can stop keeping what is saved, as if
// the process had died: saves then succeed but change nothing.
type crashState struct {
	eventsource.MemoryState
	mu sync.Mutex
	// dead drops every save.
	dead bool
	// afterCheckpoint drops the saves of intents once a checkpoint was
	// saved: a crash between the two.
	afterCheckpoint, checkpointSaved bool
}

func (s *crashState) Save(ctx context.Context, key string, val []byte) error {
	s.mu.Lock()
	intents := strings.HasSuffix(key, intentsSuffix)
	drop := s.dead || (intents && s.checkpointSaved)
	if !intents && s.afterCheckpoint {
		s.checkpointSaved = true
	}
	s.mu.Unlock()
	if drop {
		return nil
	}
	return s.MemoryState.Save(ctx, key, val)
}

func (s *crashState) setDead(dead bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dead = dead
}

func (s *crashState) dieAfterTheNextCheckpoint() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.afterCheckpoint = true
}

// TestAddsEmittedBeforeACrashAreNotReportedAsNew kills a source after it
// emitted ADDs but before it saved them in its checkpoint. The restart
// emits those ADDs again, with their first ids, and then what changed since.
func TestAddsEmittedBeforeACrashAreNotReportedAsNew(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	env := testEnv()
	state := &crashState{}
	env.State = state

	// One worker: only the first ADD's intent saves a (first, empty)
	// checkpoint; the others are left to the intents alone.
	first := startSource(t, env, svcConfig(ns), func(s *source) { s.saveInterval, s.workers = time.Hour, 1 })
	for _, name := range []string{"same", "changed", "gone"} {
		svcs.create(name, nil, map[string]string{"v": "1"})
	}
	ids := map[string]string{}
	for range 3 {
		d := first.next(t)
		require.Equal(t, "ADD", d.Type)
		ids[d.name()] = d.ev.ID
	}
	state.setDead(true)
	first.Stop() // its last save is lost
	state.setDead(false)

	svcs.annotate("changed", "v", "2")
	svcs.delete("gone")

	second := startSource(t, env, svcConfig(ns), oneWorker)
	got := map[string][]decoded{}
	for range 5 {
		d := second.next(t)
		got[d.name()] = append(got[d.name()], d)
	}
	for name, id := range ids {
		require.NotEmpty(t, got[name], name)
		require.Equal(t, "ADD", got[name][0].Type, name)
		require.Equal(t, id, got[name][0].ev.ID, "%s: the ADD is emitted again with its first id", name)
		require.Equal(t, "1", got[name][0].annotation(got[name][0].Body, "v"), name)
	}
	require.Len(t, got["same"], 1)
	require.Len(t, got["changed"], 2)
	require.Equal(t, "UPDATE", got["changed"][1].Type)
	require.Equal(t, "2", got["changed"][1].annotation(got["changed"][1].Body, "v"))
	require.Equal(t, "1", got["changed"][1].annotation(got["changed"][1].OldBody, "v"))
	require.Len(t, got["gone"], 2)
	require.Equal(t, "DELETE", got["gone"][1].Type)

	// Once saved, nothing is emitted again.
	svcs.create("zz-sentinel", nil, nil)
	require.Equal(t, "ADD zz-sentinel", second.next(t).brief())
	second.Stop()
	third := startSource(t, env, svcConfig(ns), oneWorker)
	svcs.annotate("same", "v", "2")
	require.Equal(t, "UPDATE same", third.next(t).brief())
}

// TestIntentsCoveredByTheCheckpointAreNotEmittedAgain kills a source after
// it saved its checkpoint but before it saved its intents without the ADDs
// that checkpoint covers.
func TestIntentsCoveredByTheCheckpointAreNotEmittedAgain(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	env := testEnv()
	state := &crashState{}
	env.State = state

	first := startSource(t, env, svcConfig(ns), func(s *source) { s.saveInterval = time.Hour })
	svcs.create("a", nil, nil)
	require.Equal(t, "ADD a", first.next(t).brief())
	state.dieAfterTheNextCheckpoint()
	first.Stop()
	state.mu.Lock()
	require.True(t, state.checkpointSaved)
	state.afterCheckpoint, state.checkpointSaved = false, false
	state.mu.Unlock()

	second := startSource(t, env, svcConfig(ns), oneWorker)
	svcs.create("zz-sentinel", nil, nil)
	require.Equal(t, "ADD zz-sentinel", second.next(t).brief(), "the ADD of a is not emitted again")
}

// TestAStateReportedAfterTheLastCheckpointIsNotTakenForIt kills a source
// after it emitted an UPDATE its checkpoint does not hold yet; while it is
// down the object goes back to the content the checkpoint holds. That
// content was not the last one reported, so the restart reports it again
// (the resourceVersion moved), rather than leaving a Sensor with the
// in-between state (an Ingress of the wrong class).
func TestAStateReportedAfterTheLastCheckpointIsNotTakenForIt(t *testing.T) {
	ns := newNamespace(t)
	svcs := services{t: t, ns: ns}
	env := testEnv()
	state := &crashState{}
	env.State = state
	slowSaves := func(s *source) { s.saveInterval, s.workers = time.Hour, 1 }

	first := startSource(t, env, svcConfig(ns), slowSaves)
	svcs.create("a", nil, map[string]string{"class": "traefik"})
	require.Equal(t, "ADD a", first.next(t).brief())
	first.Stop() // the checkpoint holds class traefik

	second := startSource(t, env, svcConfig(ns), slowSaves)
	svcs.annotate("a", "class", "nginx")
	d := second.next(t)
	require.Equal(t, "UPDATE a", d.brief())
	require.Equal(t, "nginx", d.annotation(d.Body, "class"))
	state.setDead(true)
	second.Stop() // the checkpoint still holds class traefik
	state.setDead(false)

	svcs.annotate("a", "class", "traefik") // back to the checkpoint's content

	third := startSource(t, env, svcConfig(ns), oneWorker)
	d = third.next(t)
	require.Equal(t, "UPDATE a", d.brief(), "the last state reported was nginx")
	require.Equal(t, "traefik", d.annotation(d.Body, "class"))
}
