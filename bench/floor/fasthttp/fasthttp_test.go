// Package fasthttp measures an HTTP round trip with github.com/valyala/fasthttp
// instead of net/http, as ../floor_test.go's BenchmarkHTTPRoundTrip does: what
// the cheapest HTTP stack at hand would leave of the webhook → HTTP floor. It
// is a module of its own so that Herald does not depend on fasthttp.
//
//	cd bench/floor/fasthttp && go test -run '^$' -bench . -benchtime 40000x -count 2
package fasthttp

import (
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"
)

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFastHTTPRoundTrip is one POST of a small JSON body and its empty
// 200 answer over kept-alive connections, from 8 goroutines.
func BenchmarkFastHTTPRoundTrip(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		_ = ctx.PostBody()
		ctx.SetStatusCode(fasthttp.StatusOK)
	}}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Shutdown() })
	client := &fasthttp.Client{MaxConnsPerHost: 64}
	url := "http://" + ln.Addr().String() + "/example"
	body := []byte(`{"seq":12345,"sent":1764225600000000000}`)
	b.SetParallelism(4) // × GOMAXPROCS(2)
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime(b)
	b.RunParallel(func(pb *testing.PB) {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		for pb.Next() {
			req.Reset()
			req.SetRequestURI(url)
			req.Header.SetMethod(fasthttp.MethodPost)
			req.Header.SetContentType("application/json")
			req.SetBody(body)
			if err := client.Do(req, resp); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64((cpuTime(b)-cpu).Nanoseconds())/1e3/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
}
