// Package slack is the "slack" trigger kind: it posts one message per firing
// with Slack's Web API (chat.postMessage), as Argo Events' slack trigger
// does, with attachments, blocks, a sender name and icon, and threads
// grouped by a message aggregation key.
package slack

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/sensor/param"
	"github.com/herald-dev/herald/internal/trigger"
)

// Name is the kind's key under a trigger template.
const Name = "slack"

// DefaultBaseURL is Slack's Web API. EnvBaseURL names the environment
// variable that replaces it (a Slack-compatible server, a test server) when
// Options.BaseURL is empty.
const (
	DefaultBaseURL = "https://slack.com/api/"
	EnvBaseURL     = "HERALD_SLACK_API_URL"
)

// defaultTimeout bounds one call to Slack when the shared HTTP client has
// no timeout of its own.
const defaultTimeout = 30 * time.Second

// Options configure the kind.
type Options struct {
	// BaseURL is the Web API's base URL, the methods' names appended to it
	// ("https://slack.com/api/" gives https://slack.com/api/chat.postMessage).
	// Empty: $HERALD_SLACK_API_URL, else DefaultBaseURL.
	BaseURL string
}

// Kind is the "slack" trigger kind as the herald binary registers it.
var Kind = NewKind(Options{})

func init() { trigger.Default.Register(Kind) }

// NewKind returns the slack kind configured by opts. The triggers it builds
// share the thread timestamps of their message aggregation keys and the
// waits Slack asks for (Retry-After).
func NewKind(opts Options) trigger.Kind {
	st := newState()
	return trigger.Kind{
		Name: Name,
		Doc: "Posts a message to a Slack channel with the Web API's `chat.postMessage`.\n\n" +
			"The bot token is read from the `slackToken` Secret at each firing (a rotated token is picked up) and sent as a " +
			"Bearer token; it is never logged nor put in an error. `message`, `attachments` and `blocks` (JSON arrays, as " +
			"strings) make the message, at least one of them; `sender` sets the `username` and the icon (an `:emoji:` or an " +
			"image URL); `parameters` rewrite any of these fields per firing (a `#` before the channel is dropped). With " +
			"`thread.messageAggregationKey`, the first message of a key starts a thread in its channel and the later ones " +
			"reply in it (`broadcastMessageToChannel` also shows the replies in the channel); the thread of a key is kept in " +
			"memory and, in a Sensor's run, in Herald's store, so it survives a restart.\n\n" +
			"Slack answers `{\"ok\": false, \"error\": ...}` are failures: `ratelimited` (HTTP 429, whose `Retry-After` is " +
			"waited before the next call), `internal_error`, `fatal_error`, `service_unavailable`, `request_timeout`, a 5xx " +
			"and network errors are retried with the trigger's `retryStrategy`; the others (`invalid_auth`, `not_authed`, " +
			"`channel_not_found`, `not_in_channel`, `invalid_blocks`, ...) are final. A redelivered event may post its message " +
			"again: Slack's API has no idempotency key.\n\n" +
			"Herald option, not an Argo field: the environment variable `" + EnvBaseURL + "` replaces the API's base URL " +
			"(default `" + DefaultBaseURL + "`), for a Slack-compatible server or a test.",
		New: func(env trigger.Env, sensor *v1alpha1.Sensor, t *v1alpha1.Trigger) (trigger.Trigger, error) {
			return newTrigger(env, opts, st, sensor, t)
		},
	}
}

// baseURL returns the API base URL of opts, ending in "/".
func baseURL(opts Options) string {
	u := opts.BaseURL
	if u == "" {
		u = os.Getenv(EnvBaseURL)
	}
	if u == "" {
		u = DefaultBaseURL
	}
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

func newTrigger(env trigger.Env, opts Options, st *state, sensor *v1alpha1.Sensor, t *v1alpha1.Trigger) (*slackTrigger, error) {
	if t == nil || t.Template == nil || t.Template.Slack == nil {
		return nil, errors.New("building the slack trigger: the template has no slack field")
	}
	spec := t.Template.Slack
	params, err := param.Compile(spec.Parameters)
	if err != nil {
		return nil, fmt.Errorf("building slack trigger %s: compiling parameters: %w", t.Template.Name, err)
	}
	client := env.HTTP
	if client == nil {
		client = &http.Client{}
	}
	if client.Timeout == 0 {
		c := *client
		c.Timeout = defaultTimeout
		client = &c
	}
	tr := &slackTrigger{
		env: env, name: t.Template.Name, spec: spec, params: params,
		url: baseURL(opts) + "chat.postMessage", client: client, state: st,
	}
	if sensor != nil {
		tr.namespace, tr.sensor = sensor.Namespace, sensor.Name
	}
	return tr, nil
}

// state is what the triggers of one kind share: the thread of each
// aggregation key and the time before which Slack asked not to be called.
type state struct {
	mu        sync.Mutex
	threads   map[string]string    // thread key → ts of its first message
	notBefore map[string]time.Time // token Secret → end of Slack's Retry-After
}

func newState() *state {
	return &state{threads: map[string]string{}, notBefore: map[string]time.Time{}}
}
