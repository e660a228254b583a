package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func vcsWebhook() *v1alpha1.WebhookContext {
	return &v1alpha1.WebhookContext{Endpoint: "/push", Port: "12000", Method: "POST"}
}

func TestValidateGithub(t *testing.T) {
	sel := &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "gh"}, Key: "k"}
	set := func(g v1alpha1.GithubEventSource) func(es *v1alpha1.EventSource) {
		return func(es *v1alpha1.EventSource) {
			es.Spec.Github = map[string]v1alpha1.GithubEventSource{"gh": g}
		}
	}
	runEventSourceCases(t, []eventSourceCase{
		{name: "receive only", mutate: set(v1alpha1.GithubEventSource{Webhook: vcsWebhook(), WebhookSecret: sel, Events: []string{"push"}})},
		{
			name:   "no webhook",
			mutate: set(v1alpha1.GithubEventSource{Events: []string{"push"}}),
			errs:   []string{"spec.github[gh].webhook: webhook is required: the endpoint GitHub sends its deliveries to"},
		},
		{
			name:   "bad endpoint, secret and content type",
			mutate: set(v1alpha1.GithubEventSource{Webhook: &v1alpha1.WebhookContext{Endpoint: "push", Port: "12000", Method: "POST"}, WebhookSecret: &corev1.SecretKeySelector{}, ContentType: "xml", Events: []string{""}}),
			errs: []string{
				`spec.github[gh].webhook.endpoint: endpoint must start with "/" (e.g. "/push")`,
				"spec.github[gh].webhookSecret.name: name is required: the Secret holding the webhook secret",
				"spec.github[gh].webhookSecret.key: key is required: the Secret key holding the webhook secret",
				`spec.github[gh].contentType: contentType must be "json" or "form"`,
				"spec.github[gh].events[0]: event name is empty (want a GitHub event such as push, or *)",
			},
		},
		{
			name: "hook management",
			mutate: set(v1alpha1.GithubEventSource{
				Webhook: vcsWebhook(), APIToken: sel, GithubApp: &v1alpha1.GithubAppCreds{PrivateKey: sel}, DeleteHookOnFinish: true,
				Repositories: []v1alpha1.OwnedRepositories{{Owner: "o", Names: []string{"r"}}},
			}),
			warns: []string{
				"spec.github[gh].apiToken: apiToken is only used to manage the hook through the GitHub API, which Herald does not call: create the hook yourself; Herald only receives its requests",
				"spec.github[gh].githubApp: githubApp is only used to manage the hook through the GitHub API, which Herald does not call: create the hook yourself; Herald only receives its requests",
				"spec.github[gh].deleteHookOnFinish: deleteHookOnFinish is only used to manage the hook through the GitHub API, which Herald does not call: create the hook yourself; Herald only receives its requests",
			},
		},
	})
}

func TestValidateGitlab(t *testing.T) {
	sel := &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "gl"}, Key: "k"}
	set := func(g v1alpha1.GitlabEventSource) func(es *v1alpha1.EventSource) {
		return func(es *v1alpha1.EventSource) {
			es.Spec.Gitlab = map[string]v1alpha1.GitlabEventSource{"gl": g}
		}
	}
	runEventSourceCases(t, []eventSourceCase{
		{name: "receive only", mutate: set(v1alpha1.GitlabEventSource{Webhook: vcsWebhook(), SecretToken: sel, Events: []string{"PushEvents"}})},
		{
			name:   "no webhook, unknown event",
			mutate: set(v1alpha1.GitlabEventSource{Events: []string{"Push"}}),
			errs: []string{
				"spec.gitlab[gl].webhook: webhook is required: the endpoint GitLab sends its requests to",
				`spec.gitlab[gl].events[0]: unknown GitLab event "Push" (want one of ConfidentialIssuesEvents, ConfidentialNoteEvents, DeploymentEvents, EmojiEvents, FeatureFlagEvents, IssuesEvents, JobEvents, MemberEvents, MergeRequestsEvents, MilestoneEvents, NoteEvents, PipelineEvents, ProjectEvents, PushEvents, ReleasesEvents, ResourceAccessTokenEvents, SubGroupEvents, TagPushEvents, VulnerabilityEvents, WikiPageEvents)`,
			},
		},
		{
			name:   "hook management",
			mutate: set(v1alpha1.GitlabEventSource{Webhook: vcsWebhook(), AccessToken: sel, DeleteHookOnFinish: true, Projects: []string{"1"}, GitlabBaseURL: "https://gitlab.com"}),
			warns: []string{
				"spec.gitlab[gl].accessToken: accessToken is only used to manage the hook through the GitLab API, which Herald does not call: create the hook yourself; Herald only receives its requests",
				"spec.gitlab[gl].deleteHookOnFinish: deleteHookOnFinish is only used to manage the hook through the GitLab API, which Herald does not call: create the hook yourself; Herald only receives its requests",
			},
		},
	})
}
