package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/testenv"
	"github.com/herald-dev/herald/internal/trigger"
	kafkatrigger "github.com/herald-dev/herald/internal/trigger/kafka"
	"github.com/herald-dev/herald/internal/trigger/triggertest"
)

const wait = 20 * time.Second

func startCluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func request(i int) *trigger.Request {
	return &trigger.Request{
		EventID: fmt.Sprintf("ev-%d", i),
		Events: map[string]*event.Event{
			"dep": {
				ID: fmt.Sprintf("ev-%d", i), Source: "webhook", Subject: "example", Type: "webhook",
				Time:            time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
				DataContentType: event.ContentTypeJSON,
				Data:            []byte(`{"body":{"name":"fortune","n":` + strconv.Itoa(i) + `,"topic":"routed"}}`),
			},
		},
	}
}

func p(key, dest string) v1alpha1.TriggerParameter {
	return v1alpha1.TriggerParameter{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: key}, Dest: dest}
}

func secrets(values map[string]string) trigger.SecretReader {
	return func(_ context.Context, ns string, sel *corev1.SecretKeySelector) ([]byte, error) {
		v, ok := values[ns+"/"+sel.Name+"/"+sel.Key]
		if !ok {
			return nil, errors.New("not found")
		}
		return []byte(v), nil
	}
}

var sensor = &v1alpha1.Sensor{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "argo-events"}}

// build returns a kafka trigger of spec whose clients close when the test
// ends, as they do when a Sensor's run ends.
func build(t *testing.T, env trigger.Env, spec *v1alpha1.KafkaTrigger) *kafkatrigger.Trigger {
	t.Helper()
	done := make(chan struct{})
	env.Background = &trigger.Background{Done: done}
	tr, err := kafkatrigger.NewWith(env, sensor, &v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{Name: "publish", Kafka: spec}})
	require.NoError(t, err)
	t.Cleanup(func() { close(done); tr.Close() })
	return tr
}

// consume reads n records of topic from the start.
func consume(t *testing.T, c *kfake.Cluster, topic string, n int, opts ...kgo.Opt) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{
		kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	}, opts...)...)
	require.NoError(t, err)
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		f := cl.PollFetches(ctx)
		require.NoError(t, ctx.Err(), "only %d of %d records arrived", len(out), n)
		out = append(out, f.Records()...)
	}
	return out
}

func TestConformance(t *testing.T) {
	c := startCluster(t)
	url := strings.Join(c.ListenAddrs(), ",")
	triggertest.Run(t, triggertest.Harness{
		New: func(t *testing.T) trigger.Trigger {
			return build(t, trigger.Env{}, &v1alpha1.KafkaTrigger{URL: url, Topic: "conformance", Payload: []v1alpha1.TriggerParameter{p("body", "")}})
		},
		Request: request,
	})
}

func TestPublishesPayloadKeyAndHeaders(t *testing.T) {
	c := startCluster(t)
	key := "orders"
	tr := build(t, trigger.Env{Secrets: secrets(map[string]string{"argo-events/kafka/token": "t0k"})}, &v1alpha1.KafkaTrigger{
		URL: strings.Join(c.ListenAddrs(), ","), Topic: "placeholder", RequiredAcks: -1, Compress: true, FlushFrequency: 5,
		PartitioningKey: &key,
		Parameters:      []v1alpha1.TriggerParameter{p("body.topic", "topic")},
		Payload:         []v1alpha1.TriggerParameter{p("body.name", "app"), p("body.n", "count")},
		Headers:         map[string]string{"team": "a"},
		SecureHeaders: []*v1alpha1.SecureHeader{{Name: "token", ValueFrom: &v1alpha1.ValueFromSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "kafka"}, Key: "token"},
		}}},
	})
	res, err := tr.Execute(t.Context(), request(7))
	require.NoError(t, err)
	require.Contains(t, res.Ref, "kafka routed partition ")
	recs := consume(t, c, "routed", 1)
	require.JSONEq(t, `{"app":"fortune","count":"7"}`, string(recs[0].Value))
	require.Equal(t, "orders", string(recs[0].Key))
	headers := map[string]string{}
	for _, h := range recs[0].Headers {
		headers[h.Key] = string(h.Value)
	}
	require.Equal(t, map[string]string{"team": "a", "token": "t0k", kafkatrigger.HeaderEventID: "ev-7"}, headers)
}

func TestWholeBodyPayload(t *testing.T) {
	c := startCluster(t)
	tr := build(t, trigger.Env{}, &v1alpha1.KafkaTrigger{URL: c.ListenAddrs()[0], Topic: "whole", Payload: []v1alpha1.TriggerParameter{p("body", "")}})
	_, err := tr.Execute(t.Context(), request(1))
	require.NoError(t, err)
	require.JSONEq(t, `{"name":"fortune","n":1,"topic":"routed"}`, string(consume(t, c, "whole", 1)[0].Value))
}

func TestSASL(t *testing.T) {
	c := startCluster(t, kfake.EnableSASL(), kfake.Superuser("PLAIN", "herald", "s3cret"))
	sel := func(key string) *corev1.SecretKeySelector {
		return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "kafka"}, Key: key}
	}
	tr := build(t, trigger.Env{Secrets: secrets(map[string]string{"argo-events/kafka/user": "herald", "argo-events/kafka/password": "s3cret"})},
		&v1alpha1.KafkaTrigger{
			URL: c.ListenAddrs()[0], Topic: "secured", Payload: []v1alpha1.TriggerParameter{p("body", "")},
			SASL: &v1alpha1.SASLConfig{Mechanism: "PLAIN", UserSecret: sel("user"), PasswordSecret: sel("password")},
		})
	_, err := tr.Execute(t.Context(), request(1))
	require.NoError(t, err)
	recs := consume(t, c, "secured", 1, kgo.SASL(plain.Auth{User: "herald", Pass: "s3cret"}.AsMechanism()))
	require.Contains(t, string(recs[0].Value), "fortune")
}

func TestUnreachableBrokerIsTransient(t *testing.T) {
	port, err := testenv.FreePort()
	require.NoError(t, err)
	tr := build(t, trigger.Env{}, &v1alpha1.KafkaTrigger{URL: "127.0.0.1:" + strconv.Itoa(port), Topic: "t", Payload: []v1alpha1.TriggerParameter{p("body", "")}})
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	_, err = tr.Execute(ctx, request(1))
	require.Error(t, err)
	require.False(t, trigger.IsTerminal(err), "a broker that is down must be retried: %v", err)
	require.ErrorContains(t, err, "publishing to kafka topic t")
}

func TestSetupMistakesAreTerminal(t *testing.T) {
	for name, tc := range map[string]struct {
		spec v1alpha1.KafkaTrigger
		want string
	}{
		"bad version":         {v1alpha1.KafkaTrigger{Version: "latest"}, `version "latest" is not a Kafka version`},
		"gssapi":              {v1alpha1.KafkaTrigger{SASL: &v1alpha1.SASLConfig{Mechanism: "GSSAPI"}}, "mechanism GSSAPI is not supported"},
		"tls without secrets": {v1alpha1.KafkaTrigger{TLS: &v1alpha1.TLSConfig{}}, "none of caCertSecret"},
	} {
		t.Run(name, func(t *testing.T) {
			spec := tc.spec
			spec.URL, spec.Topic = "127.0.0.1:1", "t"
			tr := build(t, trigger.Env{}, &spec)
			_, err := tr.Execute(t.Context(), request(1))
			require.ErrorContains(t, err, tc.want)
			require.True(t, trigger.IsTerminal(err), "%v", err)
		})
	}
}

func TestNewRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		spec v1alpha1.KafkaTrigger
		want string
	}{
		"schema registry": {v1alpha1.KafkaTrigger{SchemaRegistry: &v1alpha1.SchemaRegistryConfig{URL: "http://r"}}, "schemaRegistry is not supported"},
		"acks":            {v1alpha1.KafkaTrigger{RequiredAcks: 2}, "requiredAcks 2 is not -1, 0 or 1"},
		"configmap header": {v1alpha1.KafkaTrigger{SecureHeaders: []*v1alpha1.SecureHeader{{Name: "x", ValueFrom: &v1alpha1.ValueFromSource{
			ConfigMapKeyRef: &corev1.ConfigMapKeySelector{},
		}}}}, `secure header "x": only secretKeyRef is supported`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := kafkatrigger.New(trigger.Env{}, sensor, &v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{Name: "x", Kafka: &tc.spec}})
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestRender(t *testing.T) {
	tr := build(t, trigger.Env{}, &v1alpha1.KafkaTrigger{
		URL: "b1:9092, b2:9092", Topic: "t", Payload: []v1alpha1.TriggerParameter{p("body.name", "app")},
		SecureHeaders: []*v1alpha1.SecureHeader{{Name: "token", ValueFrom: &v1alpha1.ValueFromSource{SecretKeyRef: &corev1.SecretKeySelector{}}}},
	})
	out, err := tr.Render(t.Context(), request(1), trigger.RenderOptions{})
	require.NoError(t, err)
	require.Equal(t, "produce", out.Operation)
	require.Equal(t, "kafka://b1:9092,b2:9092/t", out.Target)
	require.JSONEq(t, `{"app":"fortune"}`, string(out.Object))
	require.Equal(t, trigger.Masked, out.Headers["token"])
	require.Equal(t, "ev-1", out.Headers[kafkatrigger.HeaderEventID])
}

func TestKindRegistered(t *testing.T) {
	k, ok := trigger.Default.Lookup(kafkatrigger.KindName)
	require.True(t, ok)
	require.NotEmpty(t, k.Doc)
}
