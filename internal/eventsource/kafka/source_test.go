package kafka

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/testenv"
)

func TestPayloadHasArgoShape(t *testing.T) {
	c := startCluster(t)
	prod := producer(t, c)
	for name, tc := range map[string]struct {
		jsonBody bool
		body     string
	}{
		"json body":  {jsonBody: true, body: `{"a":1}`},
		"bytes body": {jsonBody: false, body: `"eyJhIjoxfQ=="`}, // base64 of {"a":1}, as Argo writes []byte
	} {
		t.Run(name, func(t *testing.T) {
			cfg := groupConfig(c, "shape-"+strconv.FormatBool(tc.jsonBody), "g")
			cfg.JSONBody = tc.jsonBody
			cfg.Metadata = map[string]string{"team": "a"}
			r := start(t, testEnv(nil, nil), cfg)
			ts := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
			produce(t, prod, &kgo.Record{
				Topic: cfg.Topic, Key: []byte("k1"), Value: []byte(`{"a":1}`), Timestamp: ts,
				Headers: []kgo.RecordHeader{{Key: "h", Value: []byte("v")}},
			})
			ev := r.Next(t)
			var got map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(ev.Data, &got))
			require.JSONEq(t, `"`+cfg.Topic+`"`, string(got["topic"]))
			require.JSONEq(t, `"k1"`, string(got["key"]))
			require.JSONEq(t, `0`, string(got["partition"]))
			require.JSONEq(t, tc.body, string(got["body"]))
			require.JSONEq(t, `{"h":"v"}`, string(got["headers"]))
			require.JSONEq(t, `{"team":"a"}`, string(got["metadata"]))
			var stamp string
			require.NoError(t, json.Unmarshal(got["timestamp"], &stamp))
			require.Contains(t, stamp, "2024-03-01")
			require.Len(t, got, 7)
			// The id is derived from the record's place.
			require.Equal(t, r.Source.(*source).eventID(0, 0), ev.ID)
		})
	}
}

func TestRestartLosesNothing(t *testing.T) {
	c := startCluster(t)
	prod := producer(t, c)
	cfg := groupConfig(c, "restart", "herald")
	env := testEnv(nil, nil)
	send := func(v string) { produce(t, prod, &kgo.Record{Topic: cfg.Topic, Value: []byte(`{"n":` + v + `}`)}) }
	body := func(r *sourcetest.Running) string {
		var p struct{ Body json.RawMessage }
		require.NoError(t, json.Unmarshal(r.Next(t).Data, &p))
		return string(p.Body)
	}

	r1 := start(t, env, cfg)
	send("1")
	require.Equal(t, `{"n":1}`, body(r1))
	// The bus goes away: record 2 is consumed, never published, never
	// committed.
	r1.SetErr(fmt.Errorf("publishing: %w", eventbus.ErrUnavailable))
	send("2")
	waitRetrying(t, r1)
	r1.Stop()
	// Record 3 is produced while the source is stopped.
	send("3")

	r2 := start(t, env, cfg)
	require.Equal(t, `{"n":2}`, body(r2))
	require.Equal(t, `{"n":3}`, body(r2))
	require.Never(t, func() bool { return len(r2.Events()) > 2 }, 300*time.Millisecond, 10*time.Millisecond, "an event came twice")
}

// waitRetrying waits until r's source has tried to publish at least once
// while r fails every publish (a failed emit is an attempt, not an event).
func waitRetrying(t *testing.T, r *sourcetest.Running) {
	t.Helper()
	require.Eventually(t, func() bool { return r.Attempts() > len(r.Events()) }, wait, 10*time.Millisecond)
}

func TestPartitionRestartResumes(t *testing.T) {
	c := startCluster(t)
	prod := producer(t, c)
	cfg := &v1alpha1.KafkaEventSource{URL: brokers(c), Topic: "by-partition", Partition: "0", JSONBody: true}
	produce(t, prod, &kgo.Record{Topic: cfg.Topic, Value: []byte(`{"n":0}`)}) // before the first start: not read
	state := &eventsource.MemoryState{}
	env := testEnv(state, nil)
	key := StateKey(testSpec(cfg), cfg.Topic, 0)

	r1 := start(t, env, cfg)
	require.Eventually(t, func() bool { v, _ := state.Load(t.Context(), key); return string(v) == "1" }, wait, 10*time.Millisecond)
	r1.Stop()
	// Produced while no source runs: read after the restart.
	produce(t, prod, &kgo.Record{Topic: cfg.Topic, Value: []byte(`{"n":1}`)})
	r2 := start(t, env, cfg)
	require.Contains(t, string(r2.Next(t).Data), `"body":{"n":1}`)
	require.Eventually(t, func() bool { v, _ := state.Load(t.Context(), key); return string(v) == "2" }, wait, 10*time.Millisecond)
}

func TestNotJSONIsRejectedAndSkipped(t *testing.T) {
	c := startCluster(t)
	prod := producer(t, c)
	cfg := groupConfig(c, "bad-json", "g")
	env := testEnv(nil, nil)
	r := start(t, env, cfg)
	produce(t, prod, &kgo.Record{Topic: cfg.Topic, Value: []byte("not json")})
	produce(t, prod, &kgo.Record{Topic: cfg.Topic, Value: []byte(`{"ok":true}`)})
	require.Contains(t, string(r.Next(t).Data), `"body":{"ok":true}`)
	require.Equal(t, uint64(1), r.Source.(*source).Rejected())
	r.Stop()
	// The rejected record was committed with the good one: not read again.
	r2 := start(t, env, cfg)
	produce(t, prod, &kgo.Record{Topic: cfg.Topic, Value: []byte(`{"ok":2}`)})
	require.Contains(t, string(r2.Next(t).Data), `"body":{"ok":2}`)
	require.Zero(t, r2.Source.(*source).Rejected())
}

func TestUnreachableBrokerFailsAfterBackoff(t *testing.T) {
	port, err := testenv.FreePort()
	require.NoError(t, err)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	d := v1alpha1.FromString("10ms")
	cfg := &v1alpha1.KafkaEventSource{
		URL: addr, Topic: "t", ConsumerGroup: &v1alpha1.KafkaConsumerGroup{GroupName: "g"},
		ConnectionBackoff: &v1alpha1.Backoff{Steps: 3, Duration: &d},
	}
	src, err := New(testEnv(nil, nil), testSpec(cfg))
	require.NoError(t, err)
	err = src.Start(t.Context(), func(context.Context, *event.Event) error { return nil })
	require.ErrorContains(t, err, "connecting kafka orders: no broker of "+addr+" answered: giving up after 3 attempts")
}

func TestSASLPlain(t *testing.T) {
	c := startCluster(t, kfake.EnableSASL(), kfake.Superuser("PLAIN", "herald", "s3cret"))
	prod := producer(t, c, kgo.SASL(plain.Auth{User: "herald", Pass: "s3cret"}.AsMechanism()))
	produce(t, prod, &kgo.Record{Topic: "secured", Value: []byte(`{"a":1}`)})
	cfg := groupConfig(c, "secured", "g")
	cfg.SASL = &v1alpha1.SASLConfig{
		Mechanism:      "PLAIN",
		UserSecret:     &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "kafka"}, Key: "user"},
		PasswordSecret: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "kafka"}, Key: "password"},
	}
	r := start(t, testEnv(nil, map[string]string{"kafka/user": "herald", "kafka/password": "s3cret\n"}), cfg)
	require.Contains(t, string(r.Next(t).Data), `"body":{"a":1}`)
}

func TestNewRefusesWhatItCannotRun(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg  v1alpha1.KafkaEventSource
		want string
	}{
		"no url":          {v1alpha1.KafkaEventSource{Topic: "t", Partition: "0"}, "url lists no broker"},
		"no topic":        {v1alpha1.KafkaEventSource{URL: "b:9092", Partition: "0"}, "no topic"},
		"no partition":    {v1alpha1.KafkaEventSource{URL: "b:9092", Topic: "t"}, `partition "" is not a partition number`},
		"sarama config":   {v1alpha1.KafkaEventSource{URL: "b:9092", Topic: "t", Partition: "0", Config: "x: 1"}, "config (Sarama settings) is not supported"},
		"schema registry": {v1alpha1.KafkaEventSource{URL: "b:9092", Topic: "t", Partition: "0", SchemaRegistry: &v1alpha1.SchemaRegistryConfig{}}, "schemaRegistry is not supported"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(testEnv(nil, nil), testSpec(&tc.cfg))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestLimitEventsPerSecond(t *testing.T) {
	for _, tc := range []struct {
		limit int64
		want  float64
	}{{0, 0}, {5, 5}} {
		cfg := &v1alpha1.KafkaEventSource{URL: "b:9092", Topic: "t", Partition: "0", LimitEventsPerSecond: tc.limit}
		src, err := New(testEnv(nil, nil), testSpec(cfg))
		require.NoError(t, err)
		l := src.(*source).limiter()
		if tc.want == 0 {
			require.Nil(t, l)
			continue
		}
		require.InDelta(t, tc.want, float64(l.Limit()), 0)
		require.Equal(t, 1, l.Burst())
	}
}
