package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/api"
	"github.com/herald-dev/herald/internal/golden"
	"github.com/herald-dev/herald/internal/trace"
)

var at = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// traces are what the fake API knows.
var traces = map[string]trace.Trace{
	"e1": {
		Summary:  trace.Summary{ID: "e1", Time: at, Namespace: "playground", EventSource: "services", EventName: "created", Outcome: "triggered", Sensors: []string{"auto-ingress"}},
		Sequence: 7, Type: "resource", ContentType: "application/json",
		Data: json.RawMessage(`{"body":{"metadata":{"name":"fortune"}}}`),
		Steps: []trace.Step{
			{Time: at, Stage: "received"},
			{Time: at.Add(time.Millisecond), Stage: "published"},
			{Time: at.Add(2 * time.Millisecond), Stage: "transformed", Sensor: "auto-ingress", Dependency: "svc", Data: json.RawMessage(`{"host": "fortune.example"}`)},
			{Time: at.Add(3 * time.Millisecond), Stage: "delivered", Sensor: "auto-ingress", Dependency: "svc"},
			{Time: at.Add(4 * time.Millisecond), Stage: "retried", Sensor: "auto-ingress", Trigger: "ingress", Error: "connection refused\nmore", Attempts: 3},
			{Time: at.Add(5 * time.Millisecond), Stage: "triggered", Sensor: "auto-ingress", Trigger: "ingress", Ref: "networking.k8s.io/v1 Ingress playground/fortune (created)", Attempts: 1},
		},
	},
	"e2": {
		Summary:  trace.Summary{ID: "e2", Time: at, Namespace: "playground", EventSource: "services", EventName: "created", Outcome: "filtered", Sensors: []string{"auto-ingress"}},
		Sequence: 8, Type: "resource",
		Steps: []trace.Step{
			{Time: at, Stage: "received"},
			{Time: at, Stage: "published"},
			{Time: at, Stage: "filtered", Sensor: "auto-ingress", Dependency: "svc", Reason: `data[0] body.metadata.labels.expose: saw <missing>, want value matching "^true$"`},
		},
	},
}

// fakeAPI serves traces, a stream of summaries and replays, checking the
// token.
func fakeAPI(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/events/{id}", func(w http.ResponseWriter, r *http.Request) {
		tr, ok := traces[r.PathValue("id")]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(api.Error{Error: "event nope: no trace of this event"})
			return
		}
		_ = json.NewEncoder(w).Encode(tr)
	})
	mux.HandleFunc("GET /api/v1/events/stream", func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "auto-ingress", r.URL.Query().Get("sensor"))
		w.Header().Set("Content-Type", "text/event-stream")
		sums := []trace.Summary{traces["e1"].Summary, traces["e1"].Summary, traces["e2"].Summary}
		sums[0].Outcome = "published"
		replay := traces["e2"].Summary
		replay.ID, replay.ReplayOf, replay.Outcome, replay.Sensors = "e3", "e2", "published", nil
		sums = append(sums, replay)
		fmt.Fprint(w, ": herald events\n\n")
		for _, s := range sums {
			data, _ := json.Marshal(s)
			fmt.Fprintf(w, "event: summary\nid: %s\ndata: %s\n\n", s.ID, data)
		}
	})
	mux.HandleFunc("POST /api/v1/events/{id}/replay", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(api.Replayed{ID: "e9", ReplayOf: r.PathValue("id"), Sensor: r.URL.Query().Get("sensor"), Sequence: 9})
	})
	srv := httptest.NewServer(api.RequireToken(mux, "tok"))
	t.Cleanup(srv.Close)
	return srv
}

func TestEventsCommands(t *testing.T) {
	srv := fakeAPI(t)
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"show", []string{"show", "e1"}, 0},
		{"show-filtered", []string{"show", "e2"}, 0},
		{"show-json", []string{"show", "e2", "-o", "json"}, 0},
		{"tail", []string{"tail", "--sensor", "auto-ingress"}, 2},
		{"replay", []string{"replay", "e2", "--sensor", "auto-ingress"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"events", "--server", srv.URL, "--token", "tok"}, tc.args...)
			r := runHerald(t, args...)
			require.Equal(t, tc.code, r.code, r.stderr)
			golden.Check(t, "testdata/golden/events-"+tc.name+".txt", []byte(r.stdout))
		})
	}
}

func TestEventsErrors(t *testing.T) {
	srv := fakeAPI(t)
	r := runHerald(t, "events", "--server", srv.URL, "--token", "tok", "show", "nope")
	require.Equal(t, 2, r.code)
	require.Equal(t, "herald: herald answered 404: event nope: no trace of this event\n", r.stderr)
	r = runHerald(t, "events", "--server", srv.URL, "show", "e1")
	require.Equal(t, 2, r.code)
	require.Equal(t, "herald: herald answered 401: a bearer token is needed\n", r.stderr)
	t.Setenv("HERALD_UI_TOKEN", "tok")
	r = runHerald(t, "events", "--server", srv.URL, "show", "e1")
	require.Equal(t, 0, r.code, r.stderr)
}
