package trace_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/trace"
)

// openJournal opens the traces journal on an embedded bus over dir.
func openJournal(t *testing.T, dir string) *jetstream.Journal {
	t.Helper()
	srv, err := jetstream.StartEmbedded(context.Background(), jetstream.EmbeddedOptions{DataDir: dir})
	require.NoError(t, err)
	b, err := jetstream.Connect(t.Context(), jetstream.Options{InProcess: srv})
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, b.Close(context.Background()))
		require.NoError(t, srv.Shutdown(context.Background()))
	})
	j, err := b.Journal(t.Context(), "herald-traces", jetstream.JournalOptions{MaxAge: time.Hour, MaxBytes: 1 << 20})
	require.NoError(t, err)
	return j
}

func webhookEvent(id, data string) *event.Event {
	return &event.Event{
		ID: id, Source: "hooks", Subject: "push", Type: "webhook",
		Time: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC), DataContentType: event.ContentTypeJSON, Data: []byte(data),
	}
}

// record runs a Recorder over s while fn records, and waits for the
// records to be written.
func record(t *testing.T, s *trace.Store, fn func(r *trace.Recorder)) {
	t.Helper()
	r := trace.NewRecorder(s, trace.RecorderOptions{FlushEvery: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	go r.Run(ctx)
	fn(r)
	cancel()
	<-r.Done()
}

func TestStoreRecordsAndSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	j := openJournal(t, dir)
	s, err := trace.Open(t.Context(), j, trace.Options{})
	require.NoError(t, err)
	live, stop := s.Subscribe(trace.Filter{Sensor: "deploy"})
	defer stop()

	fired, dropped := webhookEvent("e1", `{"ref":"main"}`), webhookEvent("e2", `{"ref":"dev"}`)
	record(t, s, func(r *trace.Recorder) {
		for _, ev := range []*event.Event{fired, dropped} {
			r.Received("ci", ev)
			r.Published(ev, 7)
		}
		r.Step(fired, trace.Step{Stage: trace.StageDelivered, Sensor: "deploy", Dependency: "push"})
		r.StepID("e1", trace.Step{Stage: trace.StageTriggered, Sensor: "deploy", Trigger: "log", Ref: "logged", Attempts: 1})
		r.Step(dropped, trace.Step{Stage: trace.StageFiltered, Sensor: "deploy", Dependency: "push", Reason: `data[0] body.ref: saw "dev", want "main"`})
	})

	got, err := s.Recent(t.Context(), trace.Filter{}, 0)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "e2", got[0].ID, "newest first")
	require.Equal(t, trace.OutcomeFiltered, got[0].Outcome)
	require.Equal(t, trace.OutcomeTriggered, got[1].Outcome)
	require.Equal(t, []string{"deploy"}, got[1].Sensors)
	require.Equal(t, "ci", got[1].Namespace)

	seen := map[string]string{}
	for len(seen) < 2 {
		sum := <-live
		seen[sum.ID] = sum.Outcome
	}
	require.Equal(t, map[string]string{"e1": trace.OutcomeTriggered, "e2": trace.OutcomeFiltered}, seen)

	tr, err := s.Get(t.Context(), "e1")
	require.NoError(t, err)
	require.Equal(t, uint64(7), tr.Sequence)
	require.JSONEq(t, `{"ref":"main"}`, string(tr.Data))
	var stages []string
	for _, st := range tr.Steps {
		stages = append(stages, st.Stage)
	}
	require.Equal(t, []string{"received", "published", "delivered", "triggered"}, stages)
	require.Equal(t, "logged", tr.Steps[3].Ref)

	_, err = s.Get(t.Context(), "nope")
	require.ErrorIs(t, err, trace.ErrNotFound)

	// A new Store over the same journal lists the same events.
	s2, err := trace.Open(t.Context(), j, trace.Options{})
	require.NoError(t, err)
	again, err := s2.Recent(t.Context(), trace.Filter{EventSource: "hooks"}, 1)
	require.NoError(t, err)
	require.Equal(t, got[:1], again)
}

func TestRecorderDropsWhenFull(t *testing.T) {
	s, err := trace.Open(t.Context(), openJournal(t, t.TempDir()), trace.Options{})
	require.NoError(t, err)
	r := trace.NewRecorder(s, trace.RecorderOptions{Buffer: 1})
	ev := webhookEvent("e1", `{}`)
	r.Received("ci", ev)
	r.Published(ev, 1) // no writer runs: the buffer is full
	require.Equal(t, uint64(1), r.Dropped())

	var none *trace.Recorder
	none.Received("ci", ev) // a nil Recorder records nothing
	require.Zero(t, none.Dropped())
}

func TestRecorderWritesAFullBatchAtOnce(t *testing.T) {
	s, err := trace.Open(t.Context(), openJournal(t, t.TempDir()), trace.Options{})
	require.NoError(t, err)
	// No tick within the test: only the batch filling up wakes the writer.
	r := trace.NewRecorder(s, trace.RecorderOptions{Batch: 2, FlushEvery: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	defer func() { cancel(); <-r.Done() }()
	go r.Run(ctx)

	ev := webhookEvent("e1", `{}`)
	r.Received("ci", ev)
	r.Published(ev, 7)
	require.Eventually(t, func() bool {
		tr, err := s.Get(t.Context(), "e1")
		return err == nil && tr.Sequence == 7
	}, 10*time.Second, 5*time.Millisecond)
}

func TestNonJSONPayloadIsKeptAsText(t *testing.T) {
	s, err := trace.Open(t.Context(), openJournal(t, t.TempDir()), trace.Options{})
	require.NoError(t, err)
	ev := webhookEvent("e1", "plain text")
	ev.DataContentType = ""
	record(t, s, func(r *trace.Recorder) { r.Received("ci", ev) })
	tr, err := s.Get(t.Context(), "e1")
	require.NoError(t, err)
	var text string
	require.NoError(t, json.Unmarshal(tr.Data, &text))
	require.Equal(t, "plain text", text)
	require.Equal(t, "text/plain; charset=utf-8", tr.ContentType)
	require.Equal(t, trace.OutcomePending, tr.Outcome)
}

// gatedJournal is a journal whose Recent waits until open is closed.
type gatedJournal struct {
	trace.Journal
	open chan struct{}
}

func (g *gatedJournal) Recent(ctx context.Context, n uint64, fn func(key string, data []byte)) error {
	<-g.open
	return g.Journal.Recent(ctx, n, fn)
}

// TestStoreRebuildsInTheBackground opens a Store over a journal with
// earlier events and Options.Background: it is usable at once, what is
// filed while the index is rebuilt is listed at once, and the earlier
// events then take their places before it, an event seen before and after
// the reopening merged into one summary.
func TestStoreRebuildsInTheBackground(t *testing.T) {
	j := openJournal(t, t.TempDir())
	s, err := trace.Open(t.Context(), j, trace.Options{})
	require.NoError(t, err)
	before, straddling := webhookEvent("before", `{}`), webhookEvent("straddling", `{}`)
	record(t, s, func(r *trace.Recorder) {
		r.Received("ci", before)
		r.Step(before, trace.Step{Stage: trace.StageDelivered, Sensor: "deploy", Dependency: "push"})
		r.StepID("before", trace.Step{Stage: trace.StageTriggered, Sensor: "deploy", Trigger: "log", Attempts: 1})
		r.Received("ci", straddling)
		r.Step(straddling, trace.Step{Stage: trace.StageDelivered, Sensor: "deploy", Dependency: "push"})
	})

	gated := &gatedJournal{Journal: j, open: make(chan struct{})}
	s, err = trace.Open(t.Context(), gated, trace.Options{Background: true})
	require.NoError(t, err)
	after := webhookEvent("after", `{}`)
	record(t, s, func(r *trace.Recorder) {
		r.Received("ci", after)
		r.StepID("straddling", trace.Step{Stage: trace.StageTriggered, Sensor: "audit", Trigger: "log", Attempts: 1})
	})
	got, err := s.Recent(t.Context(), trace.Filter{}, 0)
	require.NoError(t, err)
	require.Equal(t, []string{"straddling", "after"}, ids(got), "what was filed since the reopening, newest first")
	select {
	case <-s.Rebuilt():
		t.Fatal("rebuilt before the journal was read")
	default:
	}

	close(gated.open)
	select {
	case <-s.Rebuilt():
	case <-time.After(30 * time.Second):
		t.Fatal("the index was not rebuilt")
	}
	got, err = s.Recent(t.Context(), trace.Filter{}, 0)
	require.NoError(t, err)
	require.Equal(t, []string{"after", "straddling", "before"}, ids(got))
	require.Equal(t, trace.OutcomeTriggered, got[2].Outcome)
	require.Equal(t, trace.OutcomeTriggered, got[1].Outcome, "delivered before, triggered after")
	require.Equal(t, []string{"audit", "deploy"}, got[1].Sensors)
	require.Equal(t, "ci", got[1].Namespace)
}

func ids(sums []trace.Summary) []string {
	out := make([]string, 0, len(sums))
	for _, s := range sums {
		out = append(out, s.ID)
	}
	return out
}
