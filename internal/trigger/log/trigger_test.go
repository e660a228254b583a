package log

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	goldenfile "github.com/herald-dev/herald/internal/golden"
	"github.com/herald-dev/herald/internal/testenv"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/triggertest"
)

// jsonLogger logs JSON to w without the line's own time.
func jsonLogger(w *testenv.Buffer) *slog.Logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})
	return slog.New(h).With("sensor", "s1", "trigger", "log-it")
}

func spec(interval *uint64) *v1alpha1.Trigger {
	return &v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{
		Name: "log-it", Log: &v1alpha1.LogTrigger{IntervalSeconds: interval},
	}}
}

func request(i int) *trigger.Request {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return &trigger.Request{
		EventID: fmt.Sprintf("ev-%d", i),
		Events: map[string]*event.Event{
			"web": {
				ID: fmt.Sprintf("ev-%d", i), Source: "webhook", Subject: "example", Type: "webhook",
				Time: at, DataContentType: event.ContentTypeJSON, Data: []byte(`{"body":{"n":1}}`),
			},
			"cal": {
				ID: "c-1", Source: "calendar", Subject: "tick", Type: "calendar", Time: at,
				Data: []byte(`{"eventTime":"2026-03-01 12:00:00"}`),
			},
		},
	}
}

func TestGolden(t *testing.T) {
	var buf testenv.Buffer
	tr, err := New(trigger.Env{Logger: jsonLogger(&buf)}, &v1alpha1.Sensor{}, spec(nil))
	require.NoError(t, err)
	for i := range 2 {
		res, err := tr.Execute(t.Context(), request(i))
		require.NoError(t, err)
		require.Equal(t, "log", res.Ref)
	}
	golden := filepath.Join("testdata", "log.golden.jsonl")
	if goldenfile.Update() {
		require.NoError(t, os.WriteFile(golden, []byte(buf.String()), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), buf.String())
}

func TestInterval(t *testing.T) {
	var buf testenv.Buffer
	tr, err := New(trigger.Env{Logger: jsonLogger(&buf)}, &v1alpha1.Sensor{}, spec(new(uint64(10))))
	require.NoError(t, err)
	lt := tr.(*Trigger)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	lt.now = func() time.Time { return now }

	steps := []struct {
		after  time.Duration
		logged bool
	}{
		{0, true},
		{5 * time.Second, false},
		{5 * time.Second, false}, // exactly the interval: Argo wants strictly after
		{time.Nanosecond, true},
		{9 * time.Second, false},
		{time.Hour, true},
	}
	lines := 0
	for i, s := range steps {
		now = now.Add(s.after)
		res, err := tr.Execute(t.Context(), request(i))
		require.NoError(t, err)
		if s.logged {
			lines++
			require.Equal(t, "log", res.Ref, "step %d", i)
		} else {
			require.Equal(t, "log (skipped: interval)", res.Ref, "step %d", i)
		}
		require.Equal(t, lines, bytes.Count([]byte(buf.String()), []byte("\n")), "step %d", i)
	}
}

func TestZeroIntervalLogsEverything(t *testing.T) {
	var buf testenv.Buffer
	tr, err := New(trigger.Env{Logger: jsonLogger(&buf)}, &v1alpha1.Sensor{}, spec(new(uint64(0))))
	require.NoError(t, err)
	for i := range 5 {
		_, err := tr.Execute(t.Context(), request(i))
		require.NoError(t, err)
	}
	require.Equal(t, 5, bytes.Count([]byte(buf.String()), []byte("\n")))
}

func TestEndedContextDoesNotLog(t *testing.T) {
	var buf testenv.Buffer
	tr, err := New(trigger.Env{Logger: jsonLogger(&buf)}, &v1alpha1.Sensor{}, spec(nil))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = tr.Execute(ctx, request(0))
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, buf.String())
}

func TestNewRejectsMissingSection(t *testing.T) {
	_, err := New(trigger.Env{}, &v1alpha1.Sensor{}, &v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{Name: "x"}})
	require.EqualError(t, err, "building log trigger: template has no log section")
}

func TestRegistered(t *testing.T) {
	k, ok := trigger.Default.Lookup("log")
	require.True(t, ok)
	require.Equal(t, "log", k.Name)
}

func TestConformance(t *testing.T) {
	triggertest.Run(t, triggertest.Harness{
		New: func(t *testing.T) trigger.Trigger {
			var buf testenv.Buffer
			tr, err := New(trigger.Env{Logger: jsonLogger(&buf)}, &v1alpha1.Sensor{}, spec(nil))
			require.NoError(t, err)
			return tr
		},
		Request: request,
	})
}

func BenchmarkLogTrigger(b *testing.B) {
	logger := slog.New(slog.NewJSONHandler(discard{}, nil)).With("sensor", "s1", "trigger", "log-it")
	tr, err := New(trigger.Env{Logger: logger}, &v1alpha1.Sensor{}, spec(nil))
	require.NoError(b, err)
	req := request(0)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := tr.Execute(ctx, req); err != nil {
				b.Error(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// discard is an io.Writer dropping everything (slog serialises writes).
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
