package v1alpha1

import corev1 "k8s.io/api/core/v1"

// GithubEventSource receives GitHub webhooks and can create the hooks on
// repositories or organizations itself.
type GithubEventSource struct {
	// ID is an old webhook identifier that is ignored.
	//
	// Deprecated: not used.
	// +optional
	ID int64 `json:"id"`
	// Webhook configures the HTTP endpoint GitHub calls.
	// +optional
	Webhook *WebhookContext `json:"webhook,omitempty"`
	// DeprecatedOwner is the repository owner, used with DeprecatedRepository.
	//
	// Deprecated: use Repositories.
	// +optional
	DeprecatedOwner string `json:"owner"`
	// DeprecatedRepository is the repository name, used with DeprecatedOwner.
	//
	// Deprecated: use Repositories.
	// +optional
	DeprecatedRepository string `json:"repository"`
	// Events are the GitHub event names to subscribe to; "*" for all.
	// +optional
	Events []string `json:"events"`
	// APIToken selects a token used to manage the hooks.
	// +optional
	APIToken *corev1.SecretKeySelector `json:"apiToken,omitempty"`
	// WebhookSecret selects the secret GitHub signs deliveries with.
	// +optional
	WebhookSecret *corev1.SecretKeySelector `json:"webhookSecret,omitempty"`
	// Insecure registers the hook with TLS verification turned off.
	// +optional
	Insecure bool `json:"insecure,omitempty"`
	// Active registers the hook as active, so GitHub delivers events.
	// +optional
	Active bool `json:"active,omitempty"`
	// ContentType is the delivery format: "json" or "form".
	// +optional
	ContentType string `json:"contentType,omitempty"`
	// GithubBaseURL is the API base URL of a GitHub Enterprise server.
	// +optional
	GithubBaseURL string `json:"githubBaseURL,omitempty"`
	// GithubUploadURL is the upload URL of a GitHub Enterprise server.
	// +optional
	GithubUploadURL string `json:"githubUploadURL,omitempty"`
	// DeleteHookOnFinish removes the created hooks when the source stops.
	// +optional
	DeleteHookOnFinish bool `json:"deleteHookOnFinish,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Repositories are the repositories to hook, grouped by owner.
	// +optional
	Repositories []OwnedRepositories `json:"repositories,omitempty"`
	// Organizations are the organizations to hook at organization level.
	// +optional
	Organizations []string `json:"organizations,omitempty"`
	// GithubApp authenticates as a GitHub App instead of with APIToken.
	// +optional
	GithubApp *GithubAppCreds `json:"githubApp,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
}

// OwnedRepositories groups repository names under their owner.
type OwnedRepositories struct {
	// Owner is the user or organization owning the repositories.
	// +optional
	Owner string `json:"owner,omitempty"`
	// Names are the repository names.
	// +optional
	Names []string `json:"names,omitempty"`
}

// GithubAppCreds are the credentials of an installed GitHub App.
type GithubAppCreds struct {
	// PrivateKey selects the App's private key.
	// +optional
	PrivateKey *corev1.SecretKeySelector `json:"privateKey"`
	// AppID is the App's numeric ID.
	// +optional
	AppID int64 `json:"appID"`
	// InstallationID is the ID of the App's installation.
	// +optional
	InstallationID int64 `json:"installationID"`
}

// GitlabEventSource receives GitLab webhooks and can create the hooks on
// projects or groups itself.
type GitlabEventSource struct {
	// Webhook configures the HTTP endpoint GitLab calls.
	// +optional
	Webhook *WebhookContext `json:"webhook,omitempty"`
	// DeprecatedProjectID is a single project to hook.
	//
	// Deprecated: use Projects.
	// +optional
	DeprecatedProjectID string `json:"projectID,omitempty"`
	// Events are the GitLab hook options to turn on, e.g. "PushEvents".
	// +optional
	Events []string `json:"events"`
	// AccessToken selects a token used to manage the hooks.
	// +optional
	AccessToken *corev1.SecretKeySelector `json:"accessToken,omitempty"`
	// EnableSSLVerification registers the hook with TLS verification on.
	// +optional
	EnableSSLVerification bool `json:"enableSSLVerification,omitempty"`
	// GitlabBaseURL is the base URL of the GitLab API.
	// +optional
	GitlabBaseURL string `json:"gitlabBaseURL"`
	// DeleteHookOnFinish removes the created hooks when the source stops.
	// +optional
	DeleteHookOnFinish bool `json:"deleteHookOnFinish,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Projects are project IDs or paths (e.g. "group/project") to hook.
	// +optional
	Projects []string `json:"projects,omitempty"`
	// SecretToken selects the token GitLab sends with each delivery.
	// +optional
	SecretToken *corev1.SecretKeySelector `json:"secretToken,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// Groups are group IDs or names to hook at group level.
	// +optional
	Groups []string `json:"groups,omitempty"`
}

// BitbucketEventSource receives Bitbucket Cloud webhooks and can create the
// hooks itself.
type BitbucketEventSource struct {
	// DeleteHookOnFinish removes the created hooks when the source stops.
	// +optional
	DeleteHookOnFinish bool `json:"deleteHookOnFinish,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Webhook configures the HTTP endpoint Bitbucket calls.
	// +optional
	Webhook *WebhookContext `json:"webhook"`
	// Auth holds the credentials used to manage the hooks.
	// +optional
	Auth *BitbucketAuth `json:"auth"`
	// Events are the Bitbucket event keys to subscribe to.
	// +optional
	Events []string `json:"events"`
	// DeprecatedOwner is the repository owner.
	//
	// Deprecated: use Repositories.
	// +optional
	DeprecatedOwner string `json:"owner,omitempty"`
	// DeprecatedProjectKey is the key of the repository's project.
	//
	// Deprecated: use Repositories.
	// +optional
	DeprecatedProjectKey string `json:"projectKey,omitempty"`
	// DeprecatedRepositorySlug is the repository slug.
	//
	// Deprecated: use Repositories.
	// +optional
	DeprecatedRepositorySlug string `json:"repositorySlug,omitempty"`
	// Repositories are the repositories to hook.
	// +optional
	Repositories []BitbucketRepository `json:"repositories,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
}

// BitbucketRepository names a Bitbucket Cloud repository.
type BitbucketRepository struct {
	// Owner is the workspace or user owning the repository.
	// +optional
	Owner string `json:"owner"`
	// RepositorySlug is the URL-friendly repository name.
	// +optional
	RepositorySlug string `json:"repositorySlug"`
}

// BitbucketAuth holds one of the ways to authenticate to Bitbucket Cloud.
type BitbucketAuth struct {
	// Basic authenticates with a username and app password.
	// +optional
	Basic *BitbucketBasicAuth `json:"basic,omitempty"`
	// OAuthToken selects an OAuth bearer token.
	// +optional
	OAuthToken *corev1.SecretKeySelector `json:"oauthToken,omitempty"`
}

// BitbucketBasicAuth selects a Bitbucket username and password.
type BitbucketBasicAuth struct {
	// Username selects the username.
	// +optional
	Username *corev1.SecretKeySelector `json:"username"`
	// Password selects the password.
	// +optional
	Password *corev1.SecretKeySelector `json:"password"`
}

// BitbucketServerEventSource receives Bitbucket Server (Data Center)
// webhooks and can create the hooks itself.
type BitbucketServerEventSource struct {
	// Webhook configures the HTTP endpoint Bitbucket Server calls.
	// +optional
	Webhook *WebhookContext `json:"webhook,omitempty"`
	// DeprecatedProjectKey is the key of the project to hook.
	//
	// Deprecated: use Repositories.
	// +optional
	DeprecatedProjectKey string `json:"projectKey,omitempty"`
	// DeprecatedRepositorySlug is the slug of the repository to hook.
	//
	// Deprecated: use Repositories.
	// +optional
	DeprecatedRepositorySlug string `json:"repositorySlug,omitempty"`
	// Projects are project keys whose repositories all get the hook.
	// +optional
	Projects []string `json:"projects,omitempty"`
	// Repositories are the repositories to hook.
	// +optional
	Repositories []BitbucketServerRepository `json:"repositories,omitempty"`
	// Events are the Bitbucket Server event keys to subscribe to.
	// +optional
	Events []string `json:"events"`
	// SkipBranchRefsChangedOnOpenPR drops repo:refs_changed events for
	// branches that have an open pull request.
	// +optional
	SkipBranchRefsChangedOnOpenPR bool `json:"skipBranchRefsChangedOnOpenPR,omitempty"`
	// OneEventPerChange emits one event per change of a repo:refs_changed
	// delivery instead of one per delivery.
	// +optional
	OneEventPerChange bool `json:"oneEventPerChange,omitempty"`
	// AccessToken selects a token used to manage the hooks.
	// +optional
	AccessToken *corev1.SecretKeySelector `json:"accessToken,omitempty"`
	// WebhookSecret selects the secret deliveries are signed with (HMAC).
	// +optional
	WebhookSecret *corev1.SecretKeySelector `json:"webhookSecret,omitempty"`
	// BitbucketServerBaseURL is the base URL of the Bitbucket Server API.
	// +optional
	BitbucketServerBaseURL string `json:"bitbucketserverBaseURL"`
	// DeleteHookOnFinish removes the created hooks when the source stops.
	// +optional
	DeleteHookOnFinish bool `json:"deleteHookOnFinish,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// TLS configures the client used to call the Bitbucket Server API.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// CheckInterval is how often the hooks are checked to still exist,
	// e.g. "1m" (the default).
	// +optional
	CheckInterval string `json:"checkInterval"`
}

// BitbucketServerRepository names a Bitbucket Server repository.
type BitbucketServerRepository struct {
	// ProjectKey is the key of the repository's project.
	// +optional
	ProjectKey string `json:"projectKey"`
	// RepositorySlug is the repository slug.
	// +optional
	RepositorySlug string `json:"repositorySlug"`
}

// GerritEventSource receives Gerrit webhooks and can create the hooks on
// projects itself.
type GerritEventSource struct {
	// Webhook configures the HTTP endpoint Gerrit calls.
	// +optional
	Webhook *WebhookContext `json:"webhook,omitempty"`
	// HookName is the name the hook is registered under.
	// +optional
	HookName string `json:"hookName"`
	// Events are the Gerrit event types to subscribe to.
	// +optional
	Events []string `json:"events"`
	// Auth selects the username and password used to manage the hooks.
	// +optional
	Auth *BasicAuth `json:"auth,omitempty"`
	// GerritBaseURL is the base URL of the Gerrit API.
	// +optional
	GerritBaseURL string `json:"gerritBaseURL"`
	// DeleteHookOnFinish removes the created hooks when the source stops.
	// +optional
	DeleteHookOnFinish bool `json:"deleteHookOnFinish,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Projects are the project paths to hook, e.g. "group/project".
	// +optional
	Projects []string `json:"projects,omitempty"`
	// SslVerify registers the hook with TLS verification on.
	// +optional
	SslVerify bool `json:"sslVerify,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// MaxTries is how many times Gerrit retries a delivery.
	// +optional
	MaxTries int64 `json:"maxTries"`
}
