package validation

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// gitlabEvents are the hook options a gitlab event's events may list, as
// Argo names them (internal/eventsource/gitlab maps each to its
// X-Gitlab-Event; a test there checks the two lists agree).
var gitlabEvents = set(
	"PushEvents", "TagPushEvents", "IssuesEvents", "ConfidentialIssuesEvents", "MergeRequestsEvents",
	"NoteEvents", "ConfidentialNoteEvents", "JobEvents", "PipelineEvents", "WikiPageEvents", "EmojiEvents",
	"DeploymentEvents", "ReleasesEvents", "FeatureFlagEvents", "ResourceAccessTokenEvents", "MemberEvents",
	"SubGroupEvents", "ProjectEvents", "MilestoneEvents", "VulnerabilityEvents",
)

// validateGitlabSources checks each gitlab event: its webhook endpoint, its
// events, and warns on the fields that only register the hook.
func validateGitlabSources(r *report, path *field.Path, hooks map[string]v1alpha1.GitlabEventSource) {
	for _, name := range sortedKeys(hooks) {
		g := hooks[name]
		p := path.Key(name)
		if g.Webhook == nil {
			r.add(required(p.Child("webhook"), "webhook is required: the endpoint GitLab sends its requests to"))
		} else {
			validateWebhookContext(r, p.Child("webhook"), g.Webhook)
		}
		if g.SecretToken != nil {
			validateSecretKey(r, p.Child("secretToken"), g.SecretToken, "the secret token")
		}
		for i, e := range g.Events {
			if !gitlabEvents[e] {
				r.add(invalid(p.Child("events").Index(i), e, "unknown GitLab event %q (want one of %s)", e, strings.Join(sortedKeys(gitlabEvents), ", ")))
			}
		}
		if g.Filter != nil {
			validateSourceFilter(r, p.Child("filter"), g.Filter)
		}
		if g.AccessToken != nil {
			r.warn(invalid(p.Child("accessToken"), field.OmitValueType{}, receiveOnly, "accessToken", "GitLab"))
		}
		if g.DeleteHookOnFinish {
			r.warn(invalid(p.Child("deleteHookOnFinish"), true, receiveOnly, "deleteHookOnFinish", "GitLab"))
		}
	}
}
