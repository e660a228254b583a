package webhook

import (
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
	spec := testSpec("push", hook(port, "/push", "POST"))
	env := webhooktest.Env(nil)
	started, report := sourcetest.NewStarted()
	env.Started = report
	url := "http://127.0.0.1:" + port + "/push"
	sourcetest.Run(t, sourcetest.Harness{
		Kind:    KindName,
		Spec:    spec,
		Started: started,
		New: func(t *testing.T) (eventsource.Source, sourcetest.Trigger) {
			src, err := New(env, spec)
			require.NoError(t, err)
			return src, func(t *testing.T) error {
				webhooktest.WaitReady(t, url, make(chan error, 1))
				resp, err := webhooktest.Client.Post(url, "application/json", strings.NewReader(`{"hello":"world"}`))
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
	spec := testSpec("x", nil).EventSource
	require.Nil(t, k.Configs(&spec.Spec))
	spec.Spec.Webhook = map[string]v1alpha1.WebhookEventSource{"one": *hook("1", "/one", "POST"), "two": *hook("1", "/two", "POST")}
	configs := k.Configs(&spec.Spec)
	require.Len(t, configs, 2)
	require.Equal(t, "/two", configs["two"].(*v1alpha1.WebhookEventSource).Endpoint)
}
