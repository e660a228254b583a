// Package floor measures what the parts Herald is built from cost on this
// machine by themselves, in CPU per operation: an HTTP/1.1 round trip of
// net/http (client and server in one process), a synchronous JetStream
// publish to an embedded server's file store, and a JetStream consume and
// acknowledgement, all with nats.go and nats-server used directly. Herald's
// webhook → HTTP trigger path needs at least one round trip's worth of
// net/http (the webhook's server side and the trigger's client side), one
// publish and one consume per event; its own figures
// (BenchmarkWebhookToHTTP in internal/engine) are read against the sum.
//
// Run with make bench, or:
//
//	go test -run '^$' -bench . -benchtime 40000x ./bench/floor/
package floor
