package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/bundle"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/trigger"
	_ "github.com/herald-dev/herald/internal/trigger/all"
	logtrigger "github.com/herald-dev/herald/internal/trigger/log"
)

// benchSensorSource is the Sensor of the pipeline benchmarks: one
// dependency on the webhook source of pipelineEventSource and the trigger
// given in its %s (already indented under triggers).
const benchSensorSource = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: bench
spec:
  dependencies:
    - name: hook
      eventSourceName: bench
      eventName: example
  triggers:
%s`

// pipeline is a running engine with a webhook EventSource and one Sensor.
type pipeline struct {
	url    string
	client *http.Client
}

// startPipeline runs the engine on a webhook EventSource named bench and
// the given Sensor manifest ("" for none) until the benchmark ends.
func startPipeline(b *testing.B, sensorManifest string, logger *slog.Logger) *pipeline {
	b.Helper()
	dir := b.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(b, ln.Close())
	es := fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: bench
spec:
  webhook:
    example:
      port: "%d"
      endpoint: /example
      method: POST
`, port)
	files := []string{dir + "/es.yaml"}
	require.NoError(b, writeFile(dir+"/es.yaml", es))
	if sensorManifest != "" {
		files = append(files, dir+"/sn.yaml")
		require.NoError(b, writeFile(dir+"/sn.yaml", sensorManifest))
	}
	bnd, diags, err := bundle.Load(files, bundle.Options{UniqueNames: true})
	require.NoError(b, err)
	require.False(b, diags.HasErrors(), diags.String())

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{
			Bundle: bnd, Sources: eventsource.Default, Triggers: trigger.Default, DataDir: dir + "/data",
			WebhookHost: "127.0.0.1", Logger: logger,
			// HERALD_BENCH_TRACES=off measures without event traces.
			NoTraces: os.Getenv("HERALD_BENCH_TRACES") == "off",
		})
	}()
	b.Cleanup(func() {
		cancel()
		require.NoError(b, <-done)
	})
	return &pipeline{
		url:    fmt.Sprintf("http://127.0.0.1:%d/example", port),
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second},
	}
}

// post sends one webhook event and returns the response's status code.
func (p *pipeline) post(body []byte) (int, error) {
	resp, err := p.client.Post(p.url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// benchEvent is the webhook body of the pipeline benchmarks: a sequence
// number and the send time in Unix nanoseconds.
type benchEvent struct {
	Seq  int64 `json:"seq"`
	Sent int64 `json:"sent"`
}

// latencySink is the HTTP trigger's target: it records, per sequence
// number, when the first delivery arrived and how long after its send.
type latencySink struct {
	mu        sync.Mutex
	latency   []time.Duration // by sequence number; 0 = not arrived
	received  int
	dups      int
	last      time.Time // the latest first arrival
	ids       map[string]bool
	bad       int // requests that could not be read
	warmedUp  atomic.Bool
	warmupSeq int64
}

func (s *latencySink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	raw, err := io.ReadAll(r.Body)
	var body struct {
		Event json.RawMessage `json:"event"`
	}
	var ev benchEvent
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	if err == nil {
		err = decodeBenchEvent(body.Event, &ev)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err != nil:
		s.bad++
	case ev.Seq == s.warmupSeq:
		s.warmedUp.Store(true)
	case ev.Seq < 0 || ev.Seq >= int64(len(s.latency)):
		s.bad++
	case s.latency[ev.Seq] != 0 || s.ids[r.Header.Get("X-Herald-Event-Id")]:
		s.dups++
	default:
		s.latency[ev.Seq] = max(now.Sub(time.Unix(0, ev.Sent)), 1)
		s.ids[r.Header.Get("X-Herald-Event-Id")] = true
		s.received++
		s.last = now
	}
}

// decodeBenchEvent reads the payload's event, sent either as the raw body
// or as a JSON string holding it.
func decodeBenchEvent(raw json.RawMessage, ev *benchEvent) error {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	if err := json.Unmarshal(raw, ev); err != nil {
		return fmt.Errorf("decoding the payload's event %s: %w", raw, err)
	}
	return nil
}

// BenchmarkWebhookToHTTP measures the whole Sensor pipeline end to end: 8
// concurrent clients POST webhook events (a sequence number and the send
// time) to the engine; each is published to the embedded JetStream bus,
// consumed by a Sensor and delivered (at least once) by its HTTP trigger,
// whose payload parameter copies the webhook body, to a local sink. The
// benchmark waits until the sink has every event. It reports events/s (b.N
// over the time from the first send to the last first arrival), the p50 and
// p99 of send-to-arrival latency in milliseconds, and dups (deliveries of an
// event already received). The clients send as fast as the webhook accepts,
// so at large b.N the latency is mostly the backlog's queueing time, not
// the cost of one event; BenchmarkWebhookToHTTPAtRate measures latency at a
// given rate.
func BenchmarkWebhookToHTTP(b *testing.B) {
	runWebhookToHTTP(b, 0)
}

// BenchmarkWebhookToHTTPAtRate is BenchmarkWebhookToHTTP with the clients
// sending at a fixed total rate (HERALD_BENCH_RATE events/s, 10000 by
// default), each event at its scheduled time whatever happened to the
// previous ones. Latency runs from the scheduled time, so a stall shows in
// it instead of slowing the senders down.
func BenchmarkWebhookToHTTPAtRate(b *testing.B) {
	rate := 10000
	if v := os.Getenv("HERALD_BENCH_RATE"); v != "" {
		var err error
		rate, err = strconv.Atoi(v)
		require.NoError(b, err, "HERALD_BENCH_RATE")
	}
	runWebhookToHTTP(b, rate)
}

// rateClients is how many connections send at a fixed rate: enough that
// the rate does not wait for the answers.
const rateClients = 16

func runWebhookToHTTP(b *testing.B, rate int) {
	sink := &latencySink{latency: make([]time.Duration, b.N), ids: map[string]bool{}, warmupSeq: -1}
	srv := httptest.NewServer(sink)
	b.Cleanup(srv.Close)
	p := startPipeline(b, fmt.Sprintf(benchSensorSource, `    - template:
        name: sink
        http:
          url: `+srv.URL+`
          method: POST
          payload:
            - src:
                dependencyName: hook
                dataKey: body
                useRawData: true
              dest: event
`), slog.New(slog.DiscardHandler))

	// Warm up until an event has gone all the way through.
	warmup, err := json.Marshal(benchEvent{Seq: -1})
	require.NoError(b, err)
	require.Eventually(b, func() bool {
		if code, err := p.post(warmup); err != nil || code != http.StatusOK {
			return false
		}
		return sink.warmedUp.Load()
	}, 60*time.Second, 100*time.Millisecond, "no event reached the sink")

	b.ResetTimer()
	start, cpu := time.Now(), processCPU(b)
	if rate > 0 {
		sendAtRate(b, p, start, rate)
	} else {
		sendFlatOut(b, p)
	}
	require.Eventually(b, func() bool {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		return sink.received == b.N
	}, 5*time.Minute, 5*time.Millisecond, "the sink did not receive every event")
	b.StopTimer()
	cpu = processCPU(b) - cpu

	sink.mu.Lock()
	defer sink.mu.Unlock()
	require.Zero(b, sink.bad, "unreadable deliveries")
	lat := slices.Clone(sink.latency)
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/sink.last.Sub(start).Seconds(), "events/s")
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
	b.ReportMetric(float64(sink.dups), "dups")
	// The whole process: the clients and the sink (about one net/http
	// round trip's worth, bench/floor) as well as the engine.
	b.ReportMetric(float64(cpu.Nanoseconds())/1e3/float64(b.N), "cpu-µs/event")
}

// processCPU is the CPU time, user and system, the process has used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sendFlatOut posts b.N events from 8 concurrent clients, each as soon as
// the previous one was accepted.
func sendFlatOut(b *testing.B, p *pipeline) {
	var seq atomic.Int64
	b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 concurrent clients on this machine
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !postBench(b, p, seq.Add(1)-1, time.Now()) {
				return
			}
		}
	})
}

// sendAtRate posts b.N events at rate events/s in all from rateClients
// clients: event n is due at start + n/rate and carries that time.
func sendAtRate(b *testing.B, p *pipeline, start time.Time, rate int) {
	var wg sync.WaitGroup
	for c := range rateClients {
		wg.Go(func() {
			for n := int64(c); n < int64(b.N); n += rateClients {
				due := start.Add(time.Duration(n) * time.Second / time.Duration(rate))
				if wait := time.Until(due); wait > 0 {
					<-time.After(wait) // pacing the load, not waiting for a result
				}
				if !postBench(b, p, n, due) {
					return
				}
			}
		})
	}
	wg.Wait()
}

// postBench posts event seq sent at sent; false (and the benchmark failed)
// when the webhook did not accept it.
func postBench(b *testing.B, p *pipeline, seq int64, sent time.Time) bool {
	body := strconv.AppendInt([]byte(`{"seq":`), seq, 10)
	body = append(body, `,"sent":`...)
	body = strconv.AppendInt(body, sent.UnixNano(), 10)
	body = append(body, '}')
	code, err := p.post(body)
	if err != nil || code != http.StatusOK {
		b.Errorf("POST: %d %v", code, err)
		return false
	}
	return true
}

// percentile returns the p-quantile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// ms converts a duration to fractional milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// firedCounter is a slog handler that drops every record but counts the
// log trigger's lines.
type firedCounter struct {
	fired *atomic.Int64
}

func (h firedCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h firedCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message == logtrigger.Message {
		h.fired.Add(1)
	}
	return nil
}

func (h firedCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h firedCounter) WithGroup(string) slog.Handler      { return h }

// BenchmarkWebhookToLog measures the throughput of accepted events while a
// Sensor consumes them: 8 concurrent clients POST webhook events, each
// acknowledged (200) after the embedded bus has stored it, and a Sensor
// with a log trigger fires for every one into a logger that drops its
// records but counts the trigger's lines. It reports events/s (acked
// webhook requests per second while the Sensor runs alongside) and fired/s
// (b.N over the time until the log trigger had fired for every event), and
// fails if the Sensor did not fire for all of them. Latency is measured by
// BenchmarkWebhookToHTTP.
func BenchmarkWebhookToLog(b *testing.B) {
	var fired atomic.Int64
	p := startPipeline(b, fmt.Sprintf(benchSensorSource, `    - template:
        name: log
        log: {}
`), slog.New(firedCounter{fired: &fired}))
	body := []byte(`{"message":"hello","n":1}`)

	// Warm up until an event has gone all the way through.
	var warm int64
	require.Eventually(b, func() bool {
		if code, err := p.post(body); err == nil && code == http.StatusOK {
			warm++
		}
		return warm > 0 && fired.Load() >= warm
	}, 60*time.Second, 100*time.Millisecond, "the log trigger never fired")
	// Every warm-up event fires before the timed run starts.
	require.Eventually(b, func() bool { return fired.Load() == warm }, 30*time.Second, 5*time.Millisecond)

	b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 concurrent clients on this machine
	b.ResetTimer()
	start, cpu := time.Now(), processCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			code, err := p.post(body)
			if err != nil || code != http.StatusOK {
				b.Errorf("POST: %d %v", code, err)
				return
			}
		}
	})
	acked := time.Since(start)
	require.Eventually(b, func() bool { return fired.Load() >= warm+int64(b.N) }, 5*time.Minute, 5*time.Millisecond,
		"the log trigger did not fire for every event")
	all := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/acked.Seconds(), "events/s")
	b.ReportMetric(float64(b.N)/all.Seconds(), "fired/s")
	b.ReportMetric(float64((processCPU(b)-cpu).Nanoseconds())/1e3/float64(b.N), "cpu-µs/event") // the clients' too
}
