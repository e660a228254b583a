package github

import (
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

func testSpec(name string, cfg *v1alpha1.GithubEventSource) eventsource.Spec {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "gh", Namespace: "argo-events"}}
	return eventsource.Spec{EventSource: es, Name: name, Config: cfg}
}

func hookConfig(port string) *v1alpha1.GithubEventSource {
	return &v1alpha1.GithubEventSource{Webhook: &v1alpha1.WebhookContext{Port: port, Endpoint: "/github", Method: "POST"}}
}

// start runs a source until the test ends and waits for its endpoint.
func start(t *testing.T, env eventsource.Env, spec eventsource.Spec, emit eventsource.Emit) string {
	t.Helper()
	src, err := New(env, spec)
	require.NoError(t, err)
	cfg := spec.Config.(*v1alpha1.GithubEventSource)
	url := "http://127.0.0.1:" + cfg.Webhook.Port + cfg.Webhook.Endpoint
	webhooktest.Run(t, src, emit, url)
	return url
}
