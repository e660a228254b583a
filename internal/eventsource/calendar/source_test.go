package calendar

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource"
)

var errUnavailable = fmt.Errorf("publishing: %w", eventbus.ErrUnavailable)

func TestFires(t *testing.T) {
	tests := []struct {
		name  string
		cfg   v1alpha1.CalendarEventSource
		start string
		want  []string // eventTime of the first fires
		utc   []string // the same instants, RFC 3339
	}{
		{
			name:  "schedule in a time zone across a DST change",
			cfg:   v1alpha1.CalendarEventSource{Schedule: "0 9 * * *", Timezone: "Europe/Paris"},
			start: "2024-03-29T12:00:00Z",
			want:  []string{"2024-03-30 09:00:00 +0100 CET", "2024-03-31 09:00:00 +0200 CEST", "2024-04-01 09:00:00 +0200 CEST"},
			utc:   []string{"2024-03-30T08:00:00Z", "2024-03-31T07:00:00Z", "2024-04-01T07:00:00Z"},
		},
		{
			name:  "schedule in UTC by default",
			cfg:   v1alpha1.CalendarEventSource{Schedule: "*/15 * * * *"},
			start: "2024-01-01T10:07:30Z",
			want:  []string{"2024-01-01 10:15:00 +0000 UTC", "2024-01-01 10:30:00 +0000 UTC"},
			utc:   []string{"2024-01-01T10:15:00Z", "2024-01-01T10:30:00Z"},
		},
		{
			name:  "CRON_TZ prefix",
			cfg:   v1alpha1.CalendarEventSource{Schedule: "CRON_TZ=America/New_York 0 8 * * *"},
			start: "2024-01-01T00:00:00Z",
			want:  []string{"2024-01-01 13:00:00 +0000 UTC", "2024-01-02 13:00:00 +0000 UTC"},
			utc:   []string{"2024-01-01T13:00:00Z", "2024-01-02T13:00:00Z"},
		},
		{
			name:  "interval aligned on the starting second",
			cfg:   v1alpha1.CalendarEventSource{Interval: "10s"},
			start: "2024-01-01T12:00:00.7Z",
			want:  []string{"2024-01-01 12:00:10 +0000 UTC", "2024-01-01 12:00:20 +0000 UTC", "2024-01-01 12:00:30 +0000 UTC"},
			utc:   []string{"2024-01-01T12:00:10Z", "2024-01-01T12:00:20Z", "2024-01-01T12:00:30Z"},
		},
		{
			name:  "schedule wins over interval",
			cfg:   v1alpha1.CalendarEventSource{Schedule: "0 * * * *", Interval: "1s"},
			start: "2024-01-01T12:30:00Z",
			want:  []string{"2024-01-01 13:00:00 +0000 UTC"},
			utc:   []string{"2024-01-01T13:00:00Z"},
		},
		{
			name: "exclusion dates skip whole days",
			cfg: v1alpha1.CalendarEventSource{Schedule: "0 0 * * *", ExclusionDates: []string{
				"EXDATE:20240102T000000Z,20240104T120000Z", "20240103T000000Z",
			}},
			start: "2024-01-01T12:00:00Z",
			want:  []string{"2024-01-03 00:00:00 +0000 UTC", "2024-01-05 00:00:00 +0000 UTC"},
			utc:   []string{"2024-01-03T00:00:00Z", "2024-01-05T00:00:00Z"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock(mustTime(t, tt.start))
			r := run(t, testEnv(nil), &tt.cfg, clock)
			ids := map[string]bool{}
			for i, want := range tt.want {
				clock.fireNext(t)
				ev := r.Next(t)
				require.Equal(t, want, eventTime(t, ev), "fire %d", i)
				require.True(t, mustTime(t, tt.utc[i]).Equal(ev.Time), "fire %d at %s", i, ev.Time)
				require.True(t, clock.Now().Equal(ev.Time), "fires when the clock reaches the scheduled time")
				require.Len(t, ev.ID, 32)
				require.False(t, ids[ev.ID], "ids differ per fire")
				ids[ev.ID] = true
			}
		})
	}
}

func TestPayloadShape(t *testing.T) {
	clock := newFakeClock(mustTime(t, "2024-01-01T00:00:00Z"))
	cfg := &v1alpha1.CalendarEventSource{Interval: "1h", Metadata: map[string]string{"team": "ops"}}
	first := run(t, testEnv(nil), cfg, clock)
	clock.fireNext(t)
	ev := first.Next(t)
	require.Equal(t, `{"eventTime":"2024-01-01 01:00:00 +0000 UTC","metadata":{"team":"ops"}}`, string(ev.Data))
	require.Equal(t, "application/json", ev.DataContentType)
	first.Stop()

	// Without metadata there is no metadata key, as in Argo.
	second := run(t, testEnv(nil), &v1alpha1.CalendarEventSource{Interval: "1h"}, clock)
	clock.fireNext(t)
	ev = second.Next(t)
	require.Equal(t, `{"eventTime":"2024-01-01 02:00:00 +0000 UTC"}`, string(ev.Data))
}

// TestIDIsDeterministic: the same fire of the same event has the same id
// in another process; another event or another time has another.
func TestIDIsDeterministic(t *testing.T) {
	cfg := &v1alpha1.CalendarEventSource{Interval: "1m"}
	a, err := New(testEnv(nil), testSpec(cfg))
	require.NoError(t, err)
	b, err := New(testEnv(nil), testSpec(cfg))
	require.NoError(t, err)
	other := testSpec(cfg)
	other.Name = "other"
	c, err := New(testEnv(nil), other)
	require.NoError(t, err)
	at := mustTime(t, "2024-01-01T00:00:00Z")
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	require.Equal(t, a.(*source).eventID(at), b.(*source).eventID(at.In(paris)))
	require.NotEqual(t, a.(*source).eventID(at), a.(*source).eventID(at.Add(time.Minute)))
	require.NotEqual(t, a.(*source).eventID(at), c.(*source).eventID(at))
}

func catchupConfig(maxDuration string) *v1alpha1.CalendarEventSource {
	return &v1alpha1.CalendarEventSource{
		Interval: "1m",
		Persistence: &v1alpha1.EventPersistence{
			Catchup:   &v1alpha1.CatchupConfiguration{Enabled: true, MaxDuration: maxDuration},
			ConfigMap: &v1alpha1.ConfigMapPersistence{Name: "calendar-progress", CreateIfNotExist: true},
		},
	}
}

// TestCatchupAfterRestart: fires missed while no source ran are emitted
// once on restart, none twice.
func TestCatchupAfterRestart(t *testing.T) {
	t0 := mustTime(t, "2024-01-01T12:00:00Z")
	clock := newFakeClock(t0)
	cps := &eventsource.MemoryCheckpoints{}
	env := testEnv(cps)
	cfg := catchupConfig("")

	first := run(t, env, cfg, clock)
	clock.fireNext(t)
	clock.fireNext(t)
	require.Equal(t, t0.Add(time.Minute), first.Next(t).Time.UTC())
	last := first.Next(t)
	require.Equal(t, t0.Add(2*time.Minute), last.Time.UTC())
	clock.waitPending(t)
	first.Stop()
	saved, ok, err := cps.Load(context.Background(), "argo-events/cal.tick")
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, saved.Equal(t0.Add(2*time.Minute)))

	// Down for three and a half minutes.
	clock.set(t0.Add(5*time.Minute + 30*time.Second))
	second := run(t, env, cfg, clock)
	for _, m := range []time.Duration{3, 4, 5} {
		ev := second.Next(t)
		require.Equal(t, t0.Add(m*time.Minute), ev.Time.UTC(), "catch-up fire")
		require.NotEqual(t, last.ID, ev.ID)
	}
	clock.waitPending(t) // waiting for 12:06: the catch-up is over
	require.Len(t, second.Events(), 3, "no event but the catch-up fires")
	clock.fireNext(t)
	require.Equal(t, t0.Add(6*time.Minute), second.Next(t).Time.UTC())
	second.Stop()
}

func TestCatchupBoundedByMaxDuration(t *testing.T) {
	t0 := mustTime(t, "2024-01-01T12:00:00Z")
	clock := newFakeClock(t0.Add(10*time.Minute + 30*time.Second))
	cps := &eventsource.MemoryCheckpoints{}
	require.NoError(t, cps.Save(context.Background(), "argo-events/cal.tick", t0.Add(2*time.Minute)))
	r := run(t, testEnv(cps), catchupConfig("2m"), clock)
	// From 12:08:30 on: 12:09 and 12:10.
	require.Equal(t, t0.Add(9*time.Minute), r.Next(t).Time.UTC())
	require.Equal(t, t0.Add(10*time.Minute), r.Next(t).Time.UTC())
	clock.waitPending(t)
	require.Len(t, r.Events(), 2, "no event but those two")
}

// TestNoCatchupWithoutCatchup: persistence alone saves progress but does
// not replay, as in Argo.
func TestNoCatchupWithoutCatchup(t *testing.T) {
	t0 := mustTime(t, "2024-01-01T12:00:00Z")
	clock := newFakeClock(t0)
	cps := &eventsource.MemoryCheckpoints{}
	require.NoError(t, cps.Save(context.Background(), "argo-events/cal.tick", t0.Add(-time.Hour)))
	cfg := &v1alpha1.CalendarEventSource{Interval: "1m", Persistence: &v1alpha1.EventPersistence{
		ConfigMap: &v1alpha1.ConfigMapPersistence{Name: "progress"},
	}}
	r := run(t, testEnv(cps), cfg, clock)
	clock.fireNext(t)
	require.Equal(t, t0.Add(time.Minute), r.Next(t).Time.UTC())
	clock.waitPending(t)
	require.Len(t, r.Events(), 1, "no event but the fire at 12:01")
	saved, _, _ := cps.Load(context.Background(), "argo-events/cal.tick")
	require.True(t, saved.Equal(t0.Add(time.Minute)))
}

// TestFailedPublishRetriedBeforeCheckpoint: the checkpoint moves only once
// the bus took the fire, and every retry carries the same id.
func TestFailedPublishRetriedBeforeCheckpoint(t *testing.T) {
	t0 := mustTime(t, "2024-01-01T12:00:00Z")
	clock := newFakeClock(t0)
	cps := &eventsource.MemoryCheckpoints{}
	r := run(t, testEnv(cps), catchupConfig(""), clock)
	r.SetErr(errUnavailable) // before 12:01: the source waits on the clock

	clock.fireNext(t) // the fire at 12:01 fails
	clock.waitPending(t)
	_, ok, _ := cps.Load(context.Background(), "argo-events/cal.tick")
	require.False(t, ok, "no checkpoint for a fire the bus did not take")
	clock.fireNext(t) // first retry fails too
	clock.waitPending(t)
	_, ok, _ = cps.Load(context.Background(), "argo-events/cal.tick")
	require.False(t, ok)
	r.SetErr(nil)
	clock.fireNext(t) // second retry succeeds
	ev := r.Next(t)
	require.Equal(t, t0.Add(time.Minute), ev.Time.UTC())
	require.Equal(t, eventTime(t, ev), "2024-01-01 12:01:00 +0000 UTC", "the payload names the scheduled time, not the retry's")

	tries := r.Tried()
	require.Len(t, tries, 3)
	for _, try := range tries {
		require.Equal(t, ev.ID, try.ID, "a retry keeps the id")
	}
	// Backoff: 100ms then 200ms after the fire.
	require.Equal(t, t0.Add(time.Minute+300*time.Millisecond), clock.Now())
	clock.waitPending(t)
	saved, ok, _ := cps.Load(context.Background(), "argo-events/cal.tick")
	require.True(t, ok)
	require.True(t, saved.Equal(t0.Add(time.Minute)))

	// The next fire is still 12:02: retries do not shift the schedule.
	clock.fireNext(t)
	require.Equal(t, t0.Add(2*time.Minute), r.Next(t).Time.UTC())
}

// TestNeverFiresAgain: a schedule with no future fire waits for the end.
func TestNeverFiresAgain(t *testing.T) {
	clock := newFakeClock(mustTime(t, "2024-01-01T00:00:00Z"))
	r := run(t, testEnv(nil), &v1alpha1.CalendarEventSource{Schedule: "0 0 30 2 *"}, clock)
	r.Stop()
	require.Empty(t, r.Events(), "no event")
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  v1alpha1.CalendarEventSource
		want string
	}{
		{"nothing", v1alpha1.CalendarEventSource{}, "building calendar tick: neither schedule nor interval is set"},
		{"bad schedule", v1alpha1.CalendarEventSource{Schedule: "@hourly"}, `building calendar tick: parsing schedule "@hourly"`},
		{"six fields", v1alpha1.CalendarEventSource{Schedule: "0 0 * * * *"}, "expected exactly 5 fields"},
		{"bad interval", v1alpha1.CalendarEventSource{Interval: "10"}, `parsing interval "10"`},
		{"negative interval", v1alpha1.CalendarEventSource{Interval: "-1s"}, `interval "-1s" is not positive`},
		{"bad zone", v1alpha1.CalendarEventSource{Interval: "1s", Timezone: "Mars/Olympus"}, `loading time zone "Mars/Olympus"`},
		{"bad exclusion", v1alpha1.CalendarEventSource{Interval: "1s", ExclusionDates: []string{"EXDATE:2024-01-01"}}, `parsing exclusion date "2024-01-01"`},
		{"bad max duration", *catchupConfig("forever"), `parsing catchup maxDuration "forever"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(testEnv(nil), testSpec(&tt.cfg))
			require.ErrorContains(t, err, tt.want)
		})
	}
	spec := testSpec(nil)
	spec.Config = "x"
	_, err := New(testEnv(nil), spec)
	require.ErrorContains(t, err, "config is a string")
}

func TestKindRegistered(t *testing.T) {
	k, ok := eventsource.Default.Lookup(KindName)
	require.True(t, ok)
	spec := v1alpha1.EventSourceSpec{Calendar: map[string]v1alpha1.CalendarEventSource{"a": {Interval: "1s"}, "b": {Schedule: "* * * * *"}}}
	configs := k.Configs(&spec)
	require.Len(t, configs, 2)
	require.Equal(t, "* * * * *", configs["b"].(*v1alpha1.CalendarEventSource).Schedule)
	require.Nil(t, k.Configs(&v1alpha1.EventSourceSpec{}))
}
