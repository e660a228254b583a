package github

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/eventsource/webhook"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

func TestConformance(t *testing.T) {
	port := webhooktest.FreePort(t)
	cfg := hookConfig(port)
	cfg.WebhookSecret = secretRef("gh", "secret")
	spec := testSpec("push", cfg)
	env := webhooktest.Env(webhooktest.Secrets{"gh/secret": "k"})
	started, report := sourcetest.NewStarted()
	env.Started = report
	url := "http://127.0.0.1:" + port + "/github"
	sourcetest.Run(t, sourcetest.Harness{
		Kind:    KindName,
		Spec:    spec,
		Started: started,
		New: func(t *testing.T) (eventsource.Source, sourcetest.Trigger) {
			src, err := New(env, spec)
			require.NoError(t, err)
			return src, func(t *testing.T) error {
				webhooktest.WaitReady(t, url, nil)
				body := `{"ref":"refs/heads/main"}`
				req, err := http.NewRequest("POST", url, strings.NewReader(body))
				require.NoError(t, err)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(EventHeader, "push")
				req.Header.Set(webhook.SignatureHeader, webhook.Sign([]byte("k"), []byte(body)))
				resp, err := webhooktest.Client.Do(req)
				require.NoError(t, err)
				require.NoError(t, resp.Body.Close())
				return sourcetest.ErrStatus(resp.StatusCode)
			}
		},
	})
}

func TestKindRegistered(t *testing.T) {
	k, ok := eventsource.Default.Lookup(KindName)
	require.True(t, ok)
	require.NotEmpty(t, k.Doc)
	require.True(t, k.Listener)
	spec := &v1alpha1.EventSourceSpec{Github: map[string]v1alpha1.GithubEventSource{"a": *hookConfig("1")}}
	require.Len(t, k.Configs(spec), 1)
}
