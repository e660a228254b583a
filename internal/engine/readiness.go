package engine

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herald-dev/herald/internal/eventsource"
)

// The runtime is ready when SetReady(true) was called and, the first time,
// no unit it runs is still starting: every event of each EventSource has
// started (a webhook's port is bound, a watch has synced; see
// eventsource.Status) and each Sensor is subscribed to the bus. An
// EventSource that stopped for good (State.Err) is not waited for. Once
// ready, the runtime stays ready until SetReady(false): an object applied
// later, or one that fails and restarts, shows in its State, its metrics
// and its logs, not by taking the whole process out of a Service (readiness
// that flaps with one object would take the others' webhooks away).
// Config.ReadyWithoutUnits skips the first wait too (the controller), and
// the wait for one unit lasts at most Config.StartGrace: one that cannot
// start by then is logged and no longer waited for.
// Runtime.pending counts the units still starting, so that asking costs a
// few atomic loads.

// DefaultStartGrace is Config.StartGrace's default.
const DefaultStartGrace = 30 * time.Second

// errStarting is the readiness error before SetReady(true).
var errStarting = errors.New("starting")

// maxStarting bounds the units a readiness error names.
const maxStarting = 10

// Ready returns nil when the runtime is ready, else an error naming what is
// still starting, e.g. "eventsource default/hooks: push starting" (what
// /readyz answers).
func (rt *Runtime) Ready() error {
	if !rt.ready.Load() {
		return errStarting
	}
	if rt.isReady() {
		return nil
	}
	rt.mu.Lock()
	var starting []string
	for _, u := range rt.units {
		if u.waiting.Load() {
			starting = append(starting, u.ref.logKey()+" "+u.ref.Namespace+"/"+u.ref.Name+": "+u.starting())
		}
	}
	rt.mu.Unlock()
	if len(starting) == 0 {
		// A unit between its count and the map (see apply).
		return errStarting
	}
	slices.Sort(starting)
	if n := len(starting); n > maxStarting {
		starting = append(starting[:maxStarting], "and "+strconv.Itoa(n-maxStarting)+" more")
	}
	return errors.New(strings.Join(starting, "; "))
}

// isReady is Ready() == nil without naming anything.
func (rt *Runtime) isReady() bool {
	return rt.ready.Load() && (rt.cfg.ReadyWithoutUnits || rt.wasReady.Load() || rt.pending.Load() == 0)
}

// setWaiting records whether readiness waits for u to start; a retired
// unit no longer counts, nor one whose start grace is over.
func (rt *Runtime) setWaiting(u *unit, waiting bool) {
	u.waitMu.Lock()
	defer u.waitMu.Unlock()
	if !u.retired && (!waiting || !u.graceOver) {
		rt.setWaitingLocked(u, waiting)
	}
}

// startGrace arms u's start grace (Config.StartGrace), unless readiness
// no longer waits for units (it was ready once, or never waits).
func (rt *Runtime) startGrace(u *unit) {
	grace := cmp.Or(rt.cfg.StartGrace, DefaultStartGrace)
	if grace < 0 || rt.cfg.ReadyWithoutUnits || rt.wasReady.Load() {
		return
	}
	u.waitMu.Lock()
	defer u.waitMu.Unlock()
	u.grace = time.AfterFunc(grace, func() { rt.endGrace(u, grace) })
}

// endGrace stops waiting for u, which has not started within grace.
func (rt *Runtime) endGrace(u *unit, grace time.Duration) {
	starting := u.starting()
	u.waitMu.Lock()
	defer u.waitMu.Unlock()
	u.graceOver = true
	if u.retired || !u.waiting.Load() {
		return
	}
	if !rt.wasReady.Load() {
		rt.log.Warn("not started within the start grace; readiness no longer waits for it",
			"namespace", u.ref.Namespace, u.ref.logKey(), u.ref.Name, "starting", starting, "grace", grace)
	}
	rt.setWaitingLocked(u, false)
}

// retire stops counting u: it was removed or replaced.
func (rt *Runtime) retire(u *unit) {
	u.waitMu.Lock()
	defer u.waitMu.Unlock()
	rt.setWaitingLocked(u, false)
	u.retired = true
	if u.grace != nil {
		u.grace.Stop()
	}
}

// setWaitingLocked is setWaiting with u.waitMu held.
func (rt *Runtime) setWaitingLocked(u *unit, waiting bool) {
	if u.waiting.Load() == waiting {
		return
	}
	u.waiting.Store(waiting)
	if waiting {
		rt.pending.Add(1)
		return
	}
	rt.pending.Add(-1)
	rt.checkReady()
}

// checkReady closes rt.firstReady the first time the runtime is ready.
func (rt *Runtime) checkReady() {
	if rt.isReady() {
		rt.wasReady.Store(true)
		rt.readyOnce.Do(func() { close(rt.firstReady) })
	}
}

// sourceStarting describes what of an EventSource is still starting.
func sourceStarting(st *eventsource.Status) string {
	if events := st.Starting(); len(events) > 0 {
		return strings.Join(events, ", ") + " starting"
	}
	return "starting"
}
