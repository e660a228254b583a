package validation

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// slackEmoji matches an icon written as an emoji code, e.g. ":robot_face:".
var slackEmoji = regexp.MustCompile(`^:[^:\s]+:$`)

// validateSlackTrigger checks a slack trigger's token, channel, content,
// sender and thread. Its parameters are checked by the caller. A field that
// a parameter (the trigger's own, or a trigger-level one in rewritten)
// writes is only known when an event comes and is not checked.
func validateSlackTrigger(r *report, path *field.Path, s *v1alpha1.SlackTrigger, rewritten map[string]bool) {
	sets := func(field string) bool { return rewritten["slack."+field] || paramSets(s.Parameters, field) }
	if s.SlackToken == nil {
		r.add(required(path.Child("slackToken"), "slackToken is required: the Secret key holding the Slack bot token"))
	} else {
		validateSecretKey(r, path.Child("slackToken"), s.SlackToken, "the Slack bot token")
	}
	if !sets("channel") && strings.TrimPrefix(s.Channel, "#") == "" {
		r.add(required(path.Child("channel"), "channel is required: the Slack channel (name or id) the message is posted to"))
	}
	if s.Message == "" && s.Attachments == "" && s.Blocks == "" && !sets("message") && !sets("attachments") && !sets("blocks") {
		r.add(required(path, "nothing to post: set message, attachments or blocks"))
	}
	for _, f := range []struct{ name, value string }{{"attachments", s.Attachments}, {"blocks", s.Blocks}} {
		if f.value == "" || sets(f.name) {
			continue
		}
		var arr []json.RawMessage
		if err := json.Unmarshal([]byte(f.value), &arr); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				err = fmt.Errorf("got a JSON %s", te.Value) // Go's own text names its types
			}
			r.add(invalid(path.Child(f.name), field.OmitValueType{}, "%s must be a JSON array (as a string): %v", f.name, err))
		}
	}
	if icon := s.Sender.Icon; icon != "" && !sets("sender.icon") && !slackEmoji.MatchString(icon) && !isHTTPURL(icon) {
		r.warn(invalid(path.Child("sender", "icon"), icon, "icon %q is ignored: want an emoji such as :robot_face: or an http(s) image URL", icon))
	}
	if s.Thread.BroadcastMessageToChannel && s.Thread.MessageAggregationKey == "" && !sets("thread.messageAggregationKey") {
		r.warn(invalid(path.Child("thread", "broadcastMessageToChannel"), true,
			"broadcastMessageToChannel is ignored without messageAggregationKey: messages are not threaded"))
	}
}

// isHTTPURL reports whether s is an absolute http or https URL.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
