package gitlab

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

func TestConformance(t *testing.T) {
	port := webhooktest.FreePort(t)
	cfg := hookConfig(port)
	cfg.SecretToken = secretRef("gl", "token")
	cfg.Events = []string{"PushEvents"}
	spec := testSpec("push", cfg)
	env := webhooktest.Env(webhooktest.Secrets{"gl/token": "t0k"})
	started, report := sourcetest.NewStarted()
	env.Started = report
	url := "http://127.0.0.1:" + port + "/gitlab"
	sourcetest.Run(t, sourcetest.Harness{
		Kind:    KindName,
		Spec:    spec,
		Started: started,
		New: func(t *testing.T) (eventsource.Source, sourcetest.Trigger) {
			src, err := New(env, spec)
			require.NoError(t, err)
			return src, func(t *testing.T) error {
				webhooktest.WaitReady(t, url, nil)
				req, err := http.NewRequest("POST", url, strings.NewReader(`{"object_kind":"push"}`))
				require.NoError(t, err)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(EventHeader, "Push Hook")
				req.Header.Set(TokenHeader, "t0k")
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
	spec := &v1alpha1.EventSourceSpec{Gitlab: map[string]v1alpha1.GitlabEventSource{"a": *hookConfig("1")}}
	require.Len(t, k.Configs(spec), 1)
}
