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
	measure(b, func() error {
		resp, err := client.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	})
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
