package validation

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestValidateEventBus(t *testing.T) {
	tests := []struct {
		name  string
		spec  v1alpha1.EventBusSpec
		errs  []string
		warns []string
	}{
		{name: "jetstream", spec: v1alpha1.EventBusSpec{JetStream: &v1alpha1.JetStreamBus{Version: "latest", Replicas: ptr(int32(3))}}},
		{name: "jetstream exotic", spec: v1alpha1.EventBusSpec{JetStreamExotic: &v1alpha1.JetStreamConfig{URL: "nats://nats:4222"}}},
		{
			name: "jetstream exotic with jwt credentials over TLS (Argo after v1.9)",
			spec: v1alpha1.EventBusSpec{JetStreamExotic: &v1alpha1.JetStreamConfig{
				URL: "tls://nats:4222", Auth: ptr(v1alpha1.AuthStrategyJWT), TLS: &v1alpha1.TLSConfig{Enabled: true},
			}},
		},
		{name: "jetstream with Argo's maxPayload", spec: v1alpha1.EventBusSpec{JetStream: &v1alpha1.JetStreamBus{Version: "latest", MaxPayload: ptr("1MB")}}},
		{
			name: "jetstream with a maxPayload NATS does not take",
			spec: v1alpha1.EventBusSpec{JetStream: &v1alpha1.JetStreamBus{Version: "latest", MaxPayload: ptr("1GB")}},
			errs: []string{`spec.jetstream.maxPayload: reading the event bus maxPayload: "1GB" is out of range (want up to 64MB; 0 for that most)`},
		},
		{
			name: "jetstream exotic with an unknown auth",
			spec: v1alpha1.EventBusSpec{JetStreamExotic: &v1alpha1.JetStreamConfig{URL: "nats://nats:4222", Auth: ptr(v1alpha1.AuthStrategy("oauth"))}},
			errs: []string{`spec.jetstreamExotic.auth: unknown auth "oauth" (want none, token, basic or jwt)`},
		},
		{
			name: "Argo's default streamConfig, retention and discard included",
			spec: v1alpha1.EventBusSpec{JetStream: &v1alpha1.JetStreamBus{Version: "latest", StreamConfig: ptr(
				"maxMsgs: 50000\nmaxAge: 168h\nmaxBytes: -1\nreplicas: 1\nduplicates: 300s\nretention: 0\ndiscard: 0\n")}},
		},
		{
			name: "a streamConfig Herald cannot run",
			spec: v1alpha1.EventBusSpec{JetStreamExotic: &v1alpha1.JetStreamConfig{URL: "nats://nats:4222", StreamConfig: "retention: 2\n"}},
			errs: []string{"spec.jetstreamExotic.streamConfig: unsupported: reading the event bus streamConfig retention: stream policy not supported: 2; Herald's stream runs limits retention (0)"},
		},
		{
			name:  "a streamConfig with an unknown key",
			spec:  v1alpha1.EventBusSpec{JetStream: &v1alpha1.JetStreamBus{Version: "latest", StreamConfig: ptr("maxMsg: 5\n")}},
			warns: []string{"spec.jetstream.streamConfig: maxMsg not applied: Herald applies discard, duplicates, maxAge, maxBytes, maxMsgs, replicas, retention"},
		},
		{
			name: "Argo's default settings",
			spec: v1alpha1.EventBusSpec{JetStream: &v1alpha1.JetStreamBus{Version: "latest", Settings: ptr("max_memory_store: -1\nmax_file_store: 1TB\n")}},
		},
		{
			name: "settings the embedded bus does not apply, and startArgs",
			spec: v1alpha1.EventBusSpec{JetStream: &v1alpha1.JetStreamBus{Version: "latest", Settings: ptr("sync_interval: always\nstore_dir: /data\ndomain: hub\n"), StartArgs: []string{"-D"}}},
			warns: []string{
				"spec.jetstream.settings: domain, store_dir not applied: Herald's embedded bus applies max_memory_store, max_file_store, sync_interval",
				"spec.jetstream.startArgs: not applied: Herald's bus runs in its own process, not as a nats-server command (its logs follow --log-level)",
			},
		},
		{
			name: "settings with a bad value",
			spec: v1alpha1.EventBusSpec{JetStream: &v1alpha1.JetStreamBus{Version: "latest", Settings: ptr("sync_interval: sometimes\n")}},
			errs: []string{`spec.jetstream.settings: reading the event bus settings: sync_interval: "sometimes" is not a duration (want always, or e.g. 10s or 2m)`},
		},
		{
			name: "no kind",
			errs: []string{"spec: no event bus kind set (want one of jetstream, jetstreamExotic, nats, kafka)"},
		},
		{
			name: "two kinds",
			spec: v1alpha1.EventBusSpec{
				JetStream:       &v1alpha1.JetStreamBus{Version: "2.10.10"},
				JetStreamExotic: &v1alpha1.JetStreamConfig{URL: "nats://nats:4222"},
			},
			errs: []string{"spec: more than one event bus kind set: jetstream, jetstreamExotic (want exactly one)"},
		},
		{
			name: "jetstream without version, two replicas",
			spec: v1alpha1.EventBusSpec{JetStream: &v1alpha1.JetStreamBus{Replicas: ptr(int32(2))}},
			errs: []string{
				`spec.jetstream.version: version is required: the NATS version to run, e.g. "2.10.10" or "latest"`,
				"spec.jetstream.replicas: replicas must be 1 or at least 3",
			},
		},
		{
			name: "jetstream exotic without url",
			spec: v1alpha1.EventBusSpec{JetStreamExotic: &v1alpha1.JetStreamConfig{}},
			errs: []string{"spec.jetstreamExotic.url: url is required: the address of the JetStream server"},
		},
		{
			name:  "nats native",
			spec:  v1alpha1.EventBusSpec{NATS: &v1alpha1.NATSBus{Native: &v1alpha1.NativeStrategy{}}},
			warns: []string{"spec.nats: NATS Streaming is deprecated; Herald runs this bus on embedded JetStream instead"},
		},
		{
			name:  "nats without strategy",
			spec:  v1alpha1.EventBusSpec{NATS: &v1alpha1.NATSBus{}},
			errs:  []string{"spec.nats: native or exotic is required"},
			warns: []string{"spec.nats: NATS Streaming is deprecated; Herald runs this bus on embedded JetStream instead"},
		},
		{
			name: "nats native and exotic",
			spec: v1alpha1.EventBusSpec{NATS: &v1alpha1.NATSBus{Native: &v1alpha1.NativeStrategy{}, Exotic: &v1alpha1.NATSConfig{}}},
			errs: []string{
				"spec.nats: native and exotic cannot both be set (want one)",
				"spec.nats.exotic.clusterID: clusterID is required: the NATS Streaming cluster id",
				"spec.nats.exotic.url: url is required: the address of the NATS Streaming server",
			},
			warns: []string{"spec.nats: NATS Streaming is deprecated; Herald runs this bus on embedded JetStream instead"},
		},
		{
			name: "kafka",
			spec: v1alpha1.EventBusSpec{Kafka: &v1alpha1.KafkaBus{URL: "kafka:9092"}},
			errs: []string{"spec.kafka: unsupported: kafka event bus"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eb := &v1alpha1.EventBus{ObjectMeta: metav1.ObjectMeta{Name: "default"}, Spec: tt.spec}
			requireResult(t, ValidateEventBus(eb), tt.errs, tt.warns)
		})
	}
}

func TestValidateEventBusName(t *testing.T) {
	eb := &v1alpha1.EventBus{Spec: v1alpha1.EventBusSpec{JetStream: &v1alpha1.JetStreamBus{Version: "latest"}}}
	requireResult(t, ValidateEventBus(eb), []string{"metadata.name: name is required"}, nil)
	requireResult(t, ValidateEventBus(nil), []string{"spec: no event bus given"}, nil)
}

func TestIsUnsupported(t *testing.T) {
	res := ValidateEventBus(&v1alpha1.EventBus{ObjectMeta: metav1.ObjectMeta{Name: "b"}, Spec: v1alpha1.EventBusSpec{Kafka: &v1alpha1.KafkaBus{}}})
	if len(res.Errors) != 1 || !IsUnsupported(res.Errors[0]) || res.OK() {
		t.Fatalf("want one unsupported error, got %v", res.Errors)
	}
	if IsUnsupported(nil) {
		t.Fatal("nil is not an unsupported error")
	}
}
