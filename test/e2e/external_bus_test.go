package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
)

// TestExternalBusFromEventBusManifest runs herald against an existing
// JetStream server that requires a user and password, named by an EventBus
// manifest (jetstreamExotic with accessSecret and streamConfig, as Argo
// reads them); the credentials come from --secrets-dir. The webhook's events
// land on that server, and the stream has the configured limits.
func TestExternalBusFromEventBusManifest(t *testing.T) {
	dir := t.TempDir()
	natsPort := freePort(t)
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: natsPort, JetStream: true, StoreDir: filepath.Join(dir, "nats"),
		Username: "herald", Password: "s3cret", NoLog: true, NoSigs: true,
	})
	require.NoError(t, err)
	srv.Start()
	t.Cleanup(srv.Shutdown)
	require.True(t, srv.ReadyForConnections(10*time.Second))

	secrets := filepath.Join(dir, "secrets", "bus-auth")
	require.NoError(t, os.MkdirAll(secrets, 0o700))
	writeFile(t, secrets, "auth.yaml", "username: herald\npassword: s3cret\n")
	webhookPort := freePort(t)
	manifests := filepath.Join(dir, "manifests")
	require.NoError(t, os.MkdirAll(manifests, 0o700))
	writeFile(t, manifests, "eventbus.yaml", fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: EventBus
metadata:
  name: default
spec:
  jetstreamExotic:
    url: nats://127.0.0.1:%d
    accessSecret:
      name: bus-auth
      key: auth.yaml
    streamConfig: |
      maxAge: 1h
      maxMsgs: 5000
`, natsPort))
	writeFile(t, manifests, "es.yaml", webhookEventSource("external", webhookPort))
	startHerald(t, "run", "-f", manifests, "--data-dir", filepath.Join(dir, "data"), "--secrets-dir", filepath.Join(dir, "secrets"),
		"--webhook-host", "127.0.0.1", "--metrics-addr", "")

	url := fmt.Sprintf("http://127.0.0.1:%d/example", webhookPort)
	require.Eventually(t, func() bool {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{"hello":"bus"}`))
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond)

	nc, err := nats.Connect(fmt.Sprintf("nats://127.0.0.1:%d", natsPort), nats.UserInfo("herald", "s3cret"))
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	stream, err := js.Stream(t.Context(), "herald")
	require.NoError(t, err)
	info, err := stream.Info(t.Context())
	require.NoError(t, err)
	require.Equal(t, time.Hour, info.Config.MaxAge)
	require.EqualValues(t, 5000, info.Config.MaxMsgs)
	msg, err := stream.GetMsg(t.Context(), 1)
	require.NoError(t, err)
	var ev struct {
		Source string `json:"source"`
		Data   struct {
			Body map[string]string `json:"body"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(msg.Data, &ev))
	require.Equal(t, "external", ev.Source)
	require.Equal(t, "bus", ev.Data.Body["hello"])
}
