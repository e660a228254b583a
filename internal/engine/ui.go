package engine

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/herald-dev/herald/internal/api"
	"github.com/herald-dev/herald/internal/eventbus/jetstream"
	"github.com/herald-dev/herald/internal/journal"
	"github.com/herald-dev/herald/internal/metrics"
	"github.com/herald-dev/herald/internal/ops"
	"github.com/herald-dev/herald/internal/trace"
	"github.com/herald-dev/herald/internal/ui"
)

// Defaults of the trace store's limits.
const (
	DefaultTraceMaxAge = 24 * time.Hour
	// DefaultTraceMaxBytes is small on purpose when the traces are kept on
	// a shared bus: its server indexes the journal's subjects (one per
	// event) in memory, and a flood filled a 256 MiB journal at the cost of
	// about 130 MiB more RSS than a 64 MiB one (docs/reliability.md). In
	// the data folder's files a trace costs no memory.
	DefaultTraceMaxBytes = 64 << 20
)

// tracesJournal is the stream holding the event traces on a shared bus;
// tracesFolder the data folder's subfolder holding them otherwise.
const (
	tracesJournal = "herald-traces"
	tracesFolder  = "traces"
)

// openTraces opens the trace store on the bus and starts its recorder; the
// returned func stops the recorder once it has written what it holds. When
// the store cannot be opened (a bus that refuses new streams) Herald runs
// without traces: nil store and recorder.
func openTraces(ctx context.Context, cfg Config, bus *jetstream.Bus, reg prometheus.Registerer) (*trace.Store, *trace.Recorder, func()) {
	if cfg.NoTraces {
		return nil, nil, func() {}
	}
	store, rec, stop, err := startTraces(ctx, cfg, bus, reg)
	if err != nil {
		cfg.Logger.Error("event traces off", "error", err)
		return nil, nil, func() {}
	}
	return store, rec, stop
}

func startTraces(ctx context.Context, cfg Config, bus *jetstream.Bus, reg prometheus.Registerer) (*trace.Store, *trace.Recorder, func(), error) {
	maxAge, maxBytes := cfg.TraceMaxAge, cfg.TraceMaxBytes
	if maxAge == 0 {
		maxAge = DefaultTraceMaxAge
	}
	if maxBytes == 0 {
		maxBytes = DefaultTraceMaxBytes
	}
	j, closeJournal, err := openTraceJournal(ctx, cfg, bus, maxAge, maxBytes)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("opening the event traces: %w", err)
	}
	log := cfg.Logger.With("component", "trace")
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	// The index of earlier events is rebuilt while the process starts: a
	// full journal takes a few hundred milliseconds to read.
	store, err := trace.Open(runCtx, j, trace.Options{MaxAge: maxAge, Logger: log, Background: true})
	if err != nil {
		stop()
		closeJournal()
		return nil, nil, nil, fmt.Errorf("opening the event traces: %w", err)
	}
	rec := trace.NewRecorder(store, trace.RecorderOptions{Logger: log})
	metrics.RegisterTraceDrops(reg, rec.Dropped)
	go rec.Run(runCtx)
	return store, rec, func() {
		stop()
		<-rec.Done()
		<-store.Rebuilt()
		closeJournal()
	}, nil
}

// openTraceJournal opens where the traces are kept: files of the data
// folder (DataDir/traces) when the bus is this process's own, alone and on
// files; otherwise a stream on the bus, which the processes sharing the
// bus share (one process's UI shows the steps others recorded).
//
// The files cost far less than the stream: one write per batch of
// records, and nothing in memory per event, where the bus server indexes
// each event's subject and caches the stream's blocks (about 15 % of the
// webhook-to-HTTP throughput and 40 MiB of memory under a flood).
func openTraceJournal(ctx context.Context, cfg Config, bus *jetstream.Bus, maxAge time.Duration, maxBytes int64) (trace.Journal, func(), error) {
	if bus.LocalFiles() && cfg.DataDir != "" {
		j, err := journal.Open(filepath.Join(cfg.DataDir, tracesFolder), journal.Options{MaxAge: maxAge, MaxBytes: maxBytes, Logger: cfg.Logger.With("component", "trace")})
		if err != nil {
			return nil, nil, err
		}
		closeFn := func() {
			if err := j.Close(); err != nil {
				cfg.Logger.Warn("event traces not all written", "error", err)
			}
		}
		// Earlier versions kept these traces in a stream of the bus: it is
		// no longer read, so it goes rather than holding its disk space
		// until it ages out, unless other processes may reach the server
		// (BusListen) and keep their traces there.
		if cfg.BusListen != "" {
			return j, closeFn, nil
		}
		if dropped, err := bus.DropJournal(ctx, tracesJournal); err != nil {
			cfg.Logger.Warn("old event traces stream not removed", "error", err)
		} else if dropped {
			cfg.Logger.Info("old event traces stream removed: traces are kept in the data folder's files", "stream", tracesJournal)
		}
		return j, closeFn, nil
	}
	j, err := bus.Journal(ctx, tracesJournal, jetstream.JournalOptions{MaxAge: maxAge, MaxBytes: maxBytes, Lazy: true})
	if err != nil {
		return nil, nil, err
	}
	return j, func() {}, nil
}

// serveUI serves the web UI and the events API on cfg.UIAddr until ctx
// ends; everything under /api/ needs cfg.UIToken when one is set. An
// address already taken (another herald on the same machine) is logged,
// not fatal: the UI is an aid, the flow runs without it.
func serveUI(ctx context.Context, cfg Config, mux *http.ServeMux, log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.UIAddr)
	if err != nil {
		log.Error("web UI not served", "addr", cfg.UIAddr, "error", err)
		return nil
	}
	guarded := api.RequireToken(mux, cfg.UIToken)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			guarded.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		// Streams end with the process.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	log.Info("serving the web UI", "addr", "http://"+ln.Addr().String()+"/", "token", cfg.UIToken != "")
	return ops.ServeUntilDone(ctx, srv, ln, "the web UI")
}

// uiMux is the web UI's and the events API's routes; the graph shows the
// objects rt runs, as they come and go.
func uiMux(cfg Config, rt *Runtime, store *trace.Store, rec *trace.Recorder, bus api.Publisher, gatherer prometheus.Gatherer) *http.ServeMux {
	mux := http.NewServeMux()
	var events ui.EventLister
	if store != nil {
		events = store
		registerAPI(mux, cfg, rt, store, rec, bus)
	}
	ui.Register(mux, ui.Options{Objects: rt, Namespace: cfg.Namespace, Metrics: gatherer, Events: events})
	return mux
}

// registerAPI adds the events API, with the Sensors rt runs as the ones a
// replay may name.
func registerAPI(mux *http.ServeMux, cfg Config, rt *Runtime, store *trace.Store, rec *trace.Recorder, bus api.Publisher) {
	api.Register(mux, api.Options{
		Store: store, Bus: bus, Recorder: rec, Logger: cfg.Logger.With("component", "api"),
		KnownSensor: func(name string) bool {
			for _, s := range rt.Sensors() {
				if name == s.Name || name == s.Namespace+"/"+s.Name {
					return true
				}
			}
			return false
		},
	})
}
