package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/api"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/trace"
)

// fixture is the API over a real embedded JetStream, with one recorded
// event, "e1", that a Sensor "deploy" filtered out.
type fixture struct {
	srv   *httptest.Server
	bus   *jetstream.Bus
	store *trace.Store
	rec   *trace.Recorder
}

func newFixture(t *testing.T, token string) *fixture {
	t.Helper()
	nats, err := jetstream.StartEmbedded(context.Background(), jetstream.EmbeddedOptions{DataDir: t.TempDir()})
	require.NoError(t, err)
	// DeliverAll: a subscription a test starts sees what was published
	// before its consumer existed.
	bus, err := jetstream.Connect(t.Context(), jetstream.Options{InProcess: nats, DeliverAll: true})
	require.NoError(t, err)
	j, err := bus.Journal(t.Context(), "herald-traces", jetstream.JournalOptions{MaxAge: time.Hour})
	require.NoError(t, err)
	store, err := trace.Open(t.Context(), j, trace.Options{})
	require.NoError(t, err)
	rec := trace.NewRecorder(store, trace.RecorderOptions{FlushEvery: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	go rec.Run(ctx)

	mux := http.NewServeMux()
	api.Register(mux, api.Options{
		Store: store, Bus: bus, Recorder: rec, Heartbeat: 50 * time.Millisecond,
		KnownSensor: func(name string) bool { return name == "deploy" || name == "audit" },
	})
	srv := httptest.NewServer(api.RequireToken(mux, token))
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-rec.Done()
		require.NoError(t, bus.Close(context.Background()))
		require.NoError(t, nats.Shutdown(context.Background()))
	})

	ev := &event.Event{
		ID: "e1", Source: "hooks", Subject: "push", Type: "webhook", Time: time.Now().UTC(),
		DataContentType: event.ContentTypeJSON, Data: []byte(`{"body":{"ref":"dev"}}`),
	}
	rec.Received("ci", ev)
	rec.Published(ev, 1)
	rec.Step(ev, trace.Step{Stage: trace.StageFiltered, Sensor: "deploy", Dependency: "push", Reason: `data[0] body.ref: saw "dev", want value matching "^main$"`})
	f := &fixture{srv: srv, bus: bus, store: store, rec: rec}
	f.waitFor(t, "e1", trace.OutcomeFiltered)
	return f
}

func (f *fixture) waitFor(t *testing.T, id, outcome string) {
	t.Helper()
	require.Eventually(t, func() bool {
		evs, err := f.store.Recent(t.Context(), trace.Filter{}, 0)
		require.NoError(t, err)
		for _, s := range evs {
			if s.ID == id {
				return s.Outcome == outcome
			}
		}
		return false
	}, 5*time.Second, 10*time.Millisecond)
}

func get(t *testing.T, url string, into any) int {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	if into != nil {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(into))
	}
	return resp.StatusCode
}

func TestListAndShow(t *testing.T) {
	f := newFixture(t, "")
	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{"e1"}},
		{"?sensor=deploy", []string{"e1"}},
		{"?sensor=other", nil},
		{"?eventSource=hooks&limit=1", []string{"e1"}},
		{"?eventSource=other", nil},
	}
	for _, tc := range cases {
		var list api.EventList
		require.Equal(t, http.StatusOK, get(t, f.srv.URL+"/api/v1/events"+tc.query, &list), tc.query)
		var ids []string
		for _, e := range list.Events {
			ids = append(ids, e.ID)
		}
		require.Equal(t, tc.want, ids, tc.query)
	}
	var bad api.Error
	require.Equal(t, http.StatusBadRequest, get(t, f.srv.URL+"/api/v1/events?limit=x", &bad))

	var tr trace.Trace
	require.Equal(t, http.StatusOK, get(t, f.srv.URL+"/api/v1/events/e1", &tr))
	require.Equal(t, "hooks", tr.EventSource)
	require.Equal(t, trace.OutcomeFiltered, tr.Outcome)
	require.Len(t, tr.Steps, 3)
	require.Contains(t, tr.Steps[2].Reason, `saw "dev"`)
	require.Equal(t, http.StatusNotFound, get(t, f.srv.URL+"/api/v1/events/nope", &bad))
}

func TestStream(t *testing.T) {
	f := newFixture(t, "")
	resp, err := http.Get(f.srv.URL + "/api/v1/events/stream?sensor=deploy")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	ev := &event.Event{ID: "e2", Source: "hooks", Subject: "push", Type: "webhook", Time: time.Now().UTC()}
	// Until the stream has subscribed, steps may be missed: record until one
	// arrives.
	var got trace.Summary
	require.Eventually(t, func() bool {
		f.rec.Step(ev, trace.Step{Stage: trace.StageTriggered, Sensor: "deploy", Trigger: "log"})
		for {
			select {
			case l := <-lines:
				if data, ok := strings.CutPrefix(l, "data: "); ok {
					require.NoError(t, json.Unmarshal([]byte(data), &got))
					return true
				}
			case <-time.After(50 * time.Millisecond):
				return false
			}
		}
	}, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, "e2", got.ID)
	require.Equal(t, trace.OutcomeTriggered, got.Outcome)
}

func TestReplay(t *testing.T) {
	f := newFixture(t, "")
	var (
		mu  sync.Mutex
		got []*event.Event
	)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.bus.Subscribe(ctx, eventbus.Subscription{Durable: "test"}, func(ctx context.Context, m eventbus.Message) {
			mu.Lock()
			got = append(got, m.Event())
			mu.Unlock()
			_ = m.Ack(ctx)
		})
	}()
	defer func() { cancel(); <-done }()

	post := func(path string) (int, api.Replayed) {
		resp, err := http.Post(f.srv.URL+path, "", nil)
		require.NoError(t, err)
		defer resp.Body.Close()
		var r api.Replayed
		if resp.StatusCode == http.StatusAccepted {
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
		}
		return resp.StatusCode, r
	}
	code, r := post("/api/v1/events/e1/replay?sensor=deploy")
	require.Equal(t, http.StatusAccepted, code)
	require.Equal(t, "e1", r.ReplayOf)
	require.NotEqual(t, "e1", r.ID)

	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1
	}, 10*time.Second, 10*time.Millisecond)
	ev := got[0]
	require.Equal(t, r.ID, ev.ID)
	require.Equal(t, "hooks", ev.Source)
	require.Equal(t, "push", ev.Subject)
	require.JSONEq(t, `{"body":{"ref":"dev"}}`, string(ev.Data))
	require.Equal(t, map[string]string{trace.ExtReplayOf: "e1", trace.ExtReplaySensor: "deploy"}, ev.Extensions)

	f.waitFor(t, r.ID, trace.OutcomePublished)
	tr, err := f.store.Get(t.Context(), r.ID)
	require.NoError(t, err)
	require.Equal(t, "e1", tr.ReplayOf)

	code, _ = post("/api/v1/events/nope/replay")
	require.Equal(t, http.StatusNotFound, code)
	code, _ = post("/api/v1/events/e1/replay?sensor=unknown")
	require.Equal(t, http.StatusNotFound, code)

	req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/api/v1/events/e1/replay", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

func TestRequireToken(t *testing.T) {
	f := newFixture(t, "s3cret")
	cases := []struct {
		name   string
		header string
		query  string
		want   int
	}{
		{"none", "", "", http.StatusUnauthorized},
		{"wrong", "Bearer nope", "", http.StatusUnauthorized},
		{"header", "Bearer s3cret", "", http.StatusOK},
		{"query", "", "?access_token=s3cret", http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, f.srv.URL+"/api/v1/events"+tc.query, nil)
			require.NoError(t, err)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, tc.want, resp.StatusCode)
		})
	}
}
