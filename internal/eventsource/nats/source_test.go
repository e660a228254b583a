package nats

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

func TestPayloadHasArgoShape(t *testing.T) {
	srv := startNATS(t)
	pub := dial(t, srv.URL)
	for name, tc := range map[string]struct {
		jsonBody bool
		header   natsgo.Header
		body     string
		want     string
	}{
		"json body with header": {
			jsonBody: true, header: natsgo.Header{"X-Trace": []string{"abc"}}, body: `{"n":1}`,
			want: `{"subject":"orders.new","body":{"n":1},"header":{"X-Trace":["abc"]},"metadata":{"team":"a"}}`,
		},
		"raw body is base64 as in Argo": {
			body: "hello",
			want: `{"subject":"orders.new","body":"aGVsbG8=","metadata":{"team":"a"}}`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := &v1alpha1.NATSEventsSource{URL: srv.URL, Subject: "orders.*", JSONBody: tc.jsonBody, Metadata: map[string]string{"team": "a"}}
			src, err := New(testEnv(nil), testSpec("orders", cfg))
			require.NoError(t, err)
			rec := &sourcetest.Recorder{}
			stop := sourcetest.Background(t, src, rec.Emit)
			require.NoError(t, request(t, pub, "orders.new", &natsgo.Msg{Header: tc.header, Data: []byte(tc.body)}))
			stop()
			events := rec.Events()
			require.Len(t, events, 1)
			require.JSONEq(t, tc.want, string(events[0].Data))
		})
	}
}

func TestNonJSONBodyIsRejectedAndCounted(t *testing.T) {
	srv := startNATS(t)
	pub := dial(t, srv.URL)
	cfg := &v1alpha1.NATSEventsSource{URL: srv.URL, Subject: "in", JSONBody: true}
	src, err := newSource(testEnv(nil), testSpec("in", cfg))
	require.NoError(t, err)
	rec := &sourcetest.Recorder{}
	sourcetest.Background(t, src, rec.Emit)
	waitSubscribed(t, srv.Server, "in", 1)
	require.NoError(t, pub.Publish("in", []byte("not json")))
	require.Eventually(t, func() bool { return src.rejected.Load() == 1 }, 10*time.Second, 10*time.Millisecond)
	// The source goes on with the next message.
	require.NoError(t, request(t, pub, "in", &natsgo.Msg{Data: []byte(`{"ok":true}`)}))
	require.Len(t, rec.Events(), 1)
	require.Equal(t, uint64(1), src.rejected.Load())
}

func TestQueueGroupSharesMessages(t *testing.T) {
	srv := startNATS(t)
	pub := dial(t, srv.URL)
	queue := "workers"
	cfg := &v1alpha1.NATSEventsSource{URL: srv.URL, Subject: "jobs", Queue: &queue}
	rec := &sourcetest.Recorder{}
	for range 2 {
		src, err := New(testEnv(nil), testSpec("jobs", cfg))
		require.NoError(t, err)
		sourcetest.Background(t, src, rec.Emit)
	}
	waitSubscribed(t, srv.Server, "jobs", 2)
	const n = 20
	for i := range n {
		require.NoError(t, pub.Publish("jobs", fmt.Appendf(nil, "%d", i)))
	}
	require.Eventually(t, func() bool { return len(rec.Events()) == n }, 10*time.Second, 10*time.Millisecond)
	// A round trip through both sources: nothing more arrives.
	require.NoError(t, request(t, pub, "jobs", &natsgo.Msg{Data: []byte("last")}))
	require.Len(t, rec.Events(), n+1, "each message goes to one member of the queue group")
}

func TestBusDownKeepsTheMessageUntilPublished(t *testing.T) {
	srv := startNATS(t)
	pub := dial(t, srv.URL)
	cfg := &v1alpha1.NATSEventsSource{URL: srv.URL, Subject: "in", JSONBody: true}
	src, err := New(testEnv(nil), testSpec("in", cfg))
	require.NoError(t, err)
	rec := &sourcetest.Recorder{}
	rec.SetErr(fmt.Errorf("publishing: %w", eventbus.ErrUnavailable))
	sourcetest.Background(t, src, rec.Emit)
	waitSubscribed(t, srv.Server, "in", 1)
	reply, err := pub.SubscribeSync(natsgo.NewInbox())
	require.NoError(t, err)
	msg := &natsgo.Msg{Subject: "in", Reply: reply.Subject, Header: natsgo.Header{msgIDHeader: []string{"order-1"}}, Data: []byte(`{"n":1}`)}
	require.NoError(t, pub.PublishMsg(msg))
	require.NoError(t, pub.Publish("in", []byte(`{"n":2}`)))
	require.Eventually(t, func() bool { return rec.Attempts() >= 3 }, 10*time.Second, 10*time.Millisecond, "the source retries")
	_, err = reply.NextMsg(50 * time.Millisecond)
	require.ErrorIs(t, err, natsgo.ErrTimeout, "no answer while the event is not on the bus")

	rec.SetErr(nil)
	_, err = reply.NextMsg(10 * time.Second)
	require.NoError(t, err, "the request is answered once its event is published")
	require.Eventually(t, func() bool { return len(rec.Events()) == 2 }, 10*time.Second, 10*time.Millisecond)
	events := rec.Events()
	require.JSONEq(t, `{"subject":"in","body":{"n":1},"header":{"Nats-Msg-Id":["order-1"]}}`, string(events[0].Data), "in order")
	require.JSONEq(t, `{"subject":"in","body":{"n":2}}`, string(events[1].Data))

	// The id comes from Nats-Msg-Id: the same message gets the same id.
	again, err := newSource(testEnv(nil), testSpec("in", cfg))
	require.NoError(t, err)
	require.Equal(t, events[0].ID, again.eventID(msg))
}

func TestFinalPublishErrorDropsTheMessage(t *testing.T) {
	srv := startNATS(t)
	pub := dial(t, srv.URL)
	cfg := &v1alpha1.NATSEventsSource{URL: srv.URL, Subject: "in"}
	src, err := newSource(testEnv(nil), testSpec("in", cfg))
	require.NoError(t, err)
	rec := &sourcetest.Recorder{}
	rec.SetErr(fmt.Errorf("event too large"))
	sourcetest.Background(t, src, rec.Emit)
	waitSubscribed(t, srv.Server, "in", 1)
	require.NoError(t, pub.Publish("in", []byte("x")))
	require.Eventually(t, func() bool { return src.rejected.Load() == 1 }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, 1, rec.Attempts(), "an error other than unavailable is not retried")
}

func TestAuth(t *testing.T) {
	kp, err := nkeys.CreateUser()
	require.NoError(t, err)
	pubKey, err := kp.PublicKey()
	require.NoError(t, err)
	seed, err := kp.Seed()
	require.NoError(t, err)
	sec := secrets{"nats/user": "herald", "nats/pass": "s3cret", "nats/token": "t0ken", "nats/seed": string(seed) + "\n"}
	for name, tc := range map[string]struct {
		server server.Options
		auth   *v1alpha1.NATSAuth
	}{
		"basic": {
			server: server.Options{Username: "herald", Password: "s3cret"},
			auth:   &v1alpha1.NATSAuth{Basic: &v1alpha1.BasicAuth{Username: secretKey("nats", "user"), Password: secretKey("nats", "pass")}},
		},
		"token": {
			server: server.Options{Authorization: "t0ken"},
			auth:   &v1alpha1.NATSAuth{Token: secretKey("nats", "token")},
		},
		"nkey": {
			server: server.Options{Nkeys: []*server.NkeyUser{{Nkey: pubKey}}},
			auth:   &v1alpha1.NATSAuth{NKey: secretKey("nats", "seed")},
		},
	} {
		t.Run(name, func(t *testing.T) {
			opts := tc.server
			srv := startServer(t, &opts)
			url := srv.ClientURL()
			clientOpts := []natsgo.Option{natsgo.UserInfo("herald", "s3cret")}
			switch name {
			case "token":
				clientOpts = []natsgo.Option{natsgo.Token("t0ken")}
			case "nkey":
				clientOpts = []natsgo.Option{natsgo.Nkey(pubKey, kp.Sign)}
			}
			pub := dial(t, url, clientOpts...)
			cfg := &v1alpha1.NATSEventsSource{URL: url, Subject: "in", Auth: tc.auth}
			src, err := New(testEnv(sec), testSpec("in", cfg))
			require.NoError(t, err)
			rec := &sourcetest.Recorder{}
			sourcetest.Background(t, src, rec.Emit)
			require.NoError(t, request(t, pub, "in", &natsgo.Msg{Data: []byte("x")}))
			require.Len(t, rec.Events(), 1)

			// Without credentials the connection is refused.
			cfg = &v1alpha1.NATSEventsSource{URL: url, Subject: "in", ConnectionBackoff: oneTry()}
			src, err = New(testEnv(sec), testSpec("in", cfg))
			require.NoError(t, err)
			require.ErrorContains(t, src.Start(t.Context(), rec.Emit), "connecting to nats")
		})
	}
}

func TestBadInput(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg  *v1alpha1.NATSEventsSource
		want string
	}{
		"nobody listens":  {cfg: &v1alpha1.NATSEventsSource{URL: "nats://127.0.0.1:1", Subject: "in", ConnectionBackoff: oneTry()}, want: "connecting to nats nats://127.0.0.1:1: giving up after 1 attempts"},
		"not a url":       {cfg: &v1alpha1.NATSEventsSource{URL: "http://[::1", Subject: "in", ConnectionBackoff: oneTry()}, want: "connecting to nats http://[::1"},
		"password masked": {cfg: &v1alpha1.NATSEventsSource{URL: "nats://a:1,nats://u:secret@127.0.0.1:1", Subject: "in", ConnectionBackoff: oneTry()}, want: "connecting to nats nats://a:1,nats://u:xxxxx@127.0.0.1:1:"},
		"missing secret":  {cfg: &v1alpha1.NATSEventsSource{URL: "nats://127.0.0.1:1", Subject: "in", Auth: &v1alpha1.NATSAuth{Token: secretKey("nope", "token")}}, want: "reading auth.token"},
		"bad nkey seed":   {cfg: &v1alpha1.NATSEventsSource{URL: "nats://127.0.0.1:1", Subject: "in", Auth: &v1alpha1.NATSAuth{NKey: secretKey("nats", "garbage")}}, want: "reading the nkey seed of auth.nkey"},
		"bad credentials": {cfg: &v1alpha1.NATSEventsSource{URL: "nats://127.0.0.1:1", Subject: "in", Auth: &v1alpha1.NATSAuth{Credential: secretKey("nats", "garbage")}}, want: "reading the user seed of auth.credential"},
	} {
		t.Run(name, func(t *testing.T) {
			src, err := New(testEnv(secrets{"nats/garbage": "garbage"}), testSpec("in", tc.cfg))
			require.NoError(t, err)
			require.ErrorContains(t, src.Start(t.Context(), (&sourcetest.Recorder{}).Emit), tc.want)
		})
	}
	for name, cfg := range map[string]v1alpha1.NATSEventsSource{
		"no url":     {Subject: "in"},
		"no subject": {URL: "nats://x"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(testEnv(nil), testSpec("in", &cfg))
			require.Error(t, err)
		})
	}
}

// oneTry is a connectionBackoff of a single attempt.
func oneTry() *v1alpha1.Backoff { return &v1alpha1.Backoff{Steps: 1} }

// The payload of a message encodes as JSON even when empty.
func TestEmptyBody(t *testing.T) {
	data, err := buildPayload(&natsgo.Msg{Subject: "s"}, &v1alpha1.NATSEventsSource{})
	require.NoError(t, err)
	require.True(t, json.Valid(data))
	_, err = buildPayload(&natsgo.Msg{Subject: "s"}, &v1alpha1.NATSEventsSource{JSONBody: true})
	require.ErrorContains(t, err, "the message body is not JSON, and jsonBody is true")
}

// An empty queue is a plain subscription, as in Argo.
func TestEmptyQueueSubscribesPlainly(t *testing.T) {
	srv := startNATS(t)
	pub := dial(t, srv.URL)
	src, err := New(testEnv(nil), testSpec("in", &v1alpha1.NATSEventsSource{URL: srv.URL, Subject: "in", Queue: new(string)}))
	require.NoError(t, err)
	rec := &sourcetest.Recorder{}
	sourcetest.Background(t, src, rec.Emit)
	require.NoError(t, request(t, pub, "in", &natsgo.Msg{Data: []byte("x")}))
	require.Len(t, rec.Events(), 1)
}
