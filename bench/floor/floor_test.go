package floor

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
)

// clients is how many goroutines drive each benchmark at once: the
// webhook benchmarks' and the end-to-end harness' 8 concurrent clients.
const clients = 8

// body is a webhook body of the benchmarks' size.
var body = []byte(`{"seq":12345,"sent":1764225600000000000}`)

// cpuTime is the CPU time, user and system, the process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs op b.N times from clients goroutines and reports the
// process' CPU time per operation and the rate.
func measure(b *testing.B, op func() error) {
	b.SetParallelism((clients + 1) / 2) // × GOMAXPROCS(2) on the benchmark machine
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportCPU(b, start, cpu)
}

// reportCPU reports the CPU used since cpu per operation and the rate
// since start.
func reportCPU(b *testing.B, start time.Time, cpu time.Duration) {
	b.StopTimer()
	b.ReportMetric(float64((cpuTime(b)-cpu).Nanoseconds())/1e3/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
}

// BenchmarkHTTPRoundTrip is one POST of a small JSON body and its empty 200
// answer over a kept-alive connection: the client's and the server's side.
func BenchmarkHTTPRoundTrip(b *testing.B) {
	measure(b, httpRoundTrip(b))
}

// httpRoundTrip starts a server that reads each request's body and answers
// 200, and returns the operation that posts body to it.
func httpRoundTrip(b *testing.B) func() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
	url := "http://" + ln.Addr().String() + "/example"
	return func() error {
		resp, err := client.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
}

// jetStream starts a nats-server with JetStream on a file store in a
// temporary folder, connects to it in-process, and creates a stream E for
// the subjects e.>.
func jetStream(b *testing.B) (jetstream.JetStream, jetstream.Stream) {
	srv, err := server.NewServer(&server.Options{JetStream: true, StoreDir: b.TempDir(), DontListen: true, Port: -1, NoSigs: true})
	require.NoError(b, err)
	go srv.Start()
	b.Cleanup(srv.Shutdown)
	require.True(b, srv.ReadyForConnections(10*time.Second), "nats-server did not start")
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	require.NoError(b, err)
	b.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(b, err)
	st, err := js.CreateStream(b.Context(), jetstream.StreamConfig{Name: "E", Subjects: []string{"e.>"}, Storage: jetstream.FileStorage})
	require.NoError(b, err)
	return js, st
}

// BenchmarkJetStreamPublish is one synchronous publish (the answer awaited)
// to the embedded server's file store, the way a webhook publishes.
func BenchmarkJetStreamPublish(b *testing.B) {
	js, _ := jetStream(b)
	measure(b, func() error {
		_, err := js.Publish(context.Background(), "e.x", body)
		return err
	})
}

// BenchmarkJetStreamConsumeAck consumes b.N stored messages from a durable
// pull consumer with explicit acknowledgements and acknowledges each.
func BenchmarkJetStreamConsumeAck(b *testing.B) {
	js, st := jetStream(b)
	ctx := b.Context()
	for range b.N {
		_, err := js.PublishAsync("e.x", body)
		require.NoError(b, err)
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(time.Minute):
		b.Fatal("the publishes were not all answered")
	}
	cons, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "c", AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: 1024})
	require.NoError(b, err)
	var got atomic.Int64
	done := make(chan struct{})
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime(b)
	cc, err := cons.Consume(func(m jetstream.Msg) {
		if err := m.Ack(); err != nil {
			b.Error(err)
		}
		if got.Add(1) == int64(b.N) {
			close(done)
		}
	}, jetstream.PullMaxMessages(256))
	require.NoError(b, err)
	defer cc.Stop()
	<-done
	reportCPU(b, start, cpu)
}

// pacedRate is the rate of the paced benchmarks: the end-to-end harness'
// A2 scenario's 200 events/s.
const pacedRate = 200

// paced runs op b.N times, one every 1/pacedRate seconds from one
// goroutine, and reports the process' CPU time per operation: at a low
// rate every operation wakes the goroutines and threads it crosses
// instead of finding them busy. The pacing alone is BenchmarkPaced/idle.
func paced(b *testing.B, op func() error) {
	tick := time.NewTicker(time.Second / pacedRate)
	defer tick.Stop()
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime(b)
	for range b.N {
		<-tick.C
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start, cpu)
}

// BenchmarkPaced is the parts at 200 operations per second: the pacing
// alone, an HTTP round trip, a JetStream publish, and a publish consumed
// and acknowledged by a subscriber (the one reported when its ack is sent).
//
//	go test -run '^$' -bench BenchmarkPaced -benchtime 2000x ./bench/floor/
func BenchmarkPaced(b *testing.B) {
	b.Run("idle", func(b *testing.B) {
		paced(b, func() error { return nil })
	})
	b.Run("http", func(b *testing.B) {
		paced(b, httpRoundTrip(b))
	})
	b.Run("publish", func(b *testing.B) {
		js, _ := jetStream(b)
		paced(b, func() error {
			_, err := js.Publish(context.Background(), "e.x", body)
			return err
		})
	})
	b.Run("publish+consume", func(b *testing.B) {
		js, st := jetStream(b)
		cons, err := st.CreateOrUpdateConsumer(b.Context(), jetstream.ConsumerConfig{Durable: "c", AckPolicy: jetstream.AckExplicitPolicy})
		require.NoError(b, err)
		acked := make(chan struct{}, 1)
		cc, err := cons.Consume(func(m jetstream.Msg) {
			if err := m.Ack(); err != nil {
				b.Error(err)
			}
			acked <- struct{}{}
		})
		require.NoError(b, err)
		defer cc.Stop()
		paced(b, func() error {
			if _, err := js.Publish(context.Background(), "e.x", body); err != nil {
				return err
			}
			<-acked
			return nil
		})
	})
}
