package nats_test

import (
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/testenv"
	"github.com/herald-dev/herald/internal/trigger"
	natstrigger "github.com/herald-dev/herald/internal/trigger/nats"
)

// startServer starts an embedded NATS server for the test.
func startServer(t testing.TB) *testenv.NATS {
	t.Helper()
	srv, err := testenv.StartNATS()
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	return srv
}

// subscribe subscribes to subject on srv and returns the messages.
func subscribe(t *testing.T, srv *testenv.NATS, subject string) chan *natsgo.Msg {
	t.Helper()
	nc, err := natsgo.Connect(srv.URL)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	msgs := make(chan *natsgo.Msg, 1000)
	_, err = nc.ChanSubscribe(subject, msgs)
	require.NoError(t, err)
	require.NoError(t, nc.Flush())
	return msgs
}

func next(t *testing.T, msgs chan *natsgo.Msg) *natsgo.Msg {
	t.Helper()
	select {
	case m := <-msgs:
		return m
	case <-time.After(10 * time.Second):
		require.FailNow(t, "no message")
		return nil
	}
}

// build builds a nats trigger with its own connections, closed when the
// test ends.
func build(t testing.TB, spec *v1alpha1.NATSTrigger) *natstrigger.Trigger {
	t.Helper()
	conns := natstrigger.NewConns(0)
	t.Cleanup(conns.Close)
	tr, err := natstrigger.NewWithConns(trigger.Env{}, sensor(), template(spec), conns)
	require.NoError(t, err)
	return tr
}

func sensor() *v1alpha1.Sensor {
	return &v1alpha1.Sensor{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "argo-events"}}
}

func template(spec *v1alpha1.NATSTrigger) *v1alpha1.Trigger {
	return &v1alpha1.Trigger{Template: &v1alpha1.TriggerTemplate{Name: "nats-trigger", NATS: spec}}
}

// request is the i-th firing: a minio-like event.
func request(i int) *trigger.Request {
	return &trigger.Request{
		EventID: fmt.Sprintf("ev-%d", i),
		Events: map[string]*event.Event{
			"test-dep": {
				ID: fmt.Sprintf("ev-%d", i), Source: "minio", Subject: "example", Type: "minio",
				Time:            time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
				DataContentType: event.ContentTypeJSON,
				Data: []byte(fmt.Sprintf(`{"notification":[{"s3":{"object":{"key":"file-%d.txt"},"bucket":{"name":"input"}}}],`+
					`"subject":"routed"}`, i)),
			},
		},
	}
}

func p(key, dest string) v1alpha1.TriggerParameter {
	return v1alpha1.TriggerParameter{Src: &v1alpha1.TriggerParameterSource{DependencyName: "test-dep", DataKey: key}, Dest: dest}
}

// minioPayload is the payload of Argo's trigger-nats-messages example.
var minioPayload = []v1alpha1.TriggerParameter{
	p("notification.0.s3.object.key", "fileName"),
	p("notification.0.s3.bucket.name", "bucket"),
}

// silentServer accepts connections and never answers, like a NATS server
// that hangs; it is closed when the test ends.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "nats://" + ln.Addr().String()
}
