package validation

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// receiveOnly is the warning on a field that only serves to register a hook
// through a provider's API, which Herald never calls.
const receiveOnly = "%s is only used to manage the hook through the %s API, which Herald does not call: create the hook yourself; Herald only receives its requests"

// validateGithubSources checks each github event: its webhook endpoint, the
// Argo rules on its fields, and warns on the fields that only register the
// hook.
func validateGithubSources(r *report, path *field.Path, hooks map[string]v1alpha1.GithubEventSource) {
	for _, name := range sortedKeys(hooks) {
		g := hooks[name]
		p := path.Key(name)
		if g.Webhook == nil {
			r.add(required(p.Child("webhook"), "webhook is required: the endpoint GitHub sends its deliveries to"))
		} else {
			validateWebhookContext(r, p.Child("webhook"), g.Webhook)
		}
		if g.WebhookSecret != nil {
			validateSecretKey(r, p.Child("webhookSecret"), g.WebhookSecret, "the webhook secret")
		}
		if g.ContentType != "" && g.ContentType != "json" && g.ContentType != "form" {
			r.add(invalid(p.Child("contentType"), g.ContentType, `contentType must be "json" or "form"`))
		}
		for i, e := range g.Events {
			if e == "" {
				r.add(invalid(p.Child("events").Index(i), e, "event name is empty (want a GitHub event such as push, or *)"))
			}
		}
		if g.Filter != nil {
			validateSourceFilter(r, p.Child("filter"), g.Filter)
		}
		// Argo calls the API (and needs these) when a token or an app is
		// given with webhook.url.
		if g.APIToken != nil {
			r.warn(invalid(p.Child("apiToken"), field.OmitValueType{}, receiveOnly, "apiToken", "GitHub"))
		}
		if g.GithubApp != nil {
			r.warn(invalid(p.Child("githubApp"), field.OmitValueType{}, receiveOnly, "githubApp", "GitHub"))
		}
		if g.DeleteHookOnFinish {
			r.warn(invalid(p.Child("deleteHookOnFinish"), true, receiveOnly, "deleteHookOnFinish", "GitHub"))
		}
	}
}
