package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/sensor/param"
)

// message is the JSON body of chat.postMessage.
type message struct {
	Channel        string          `json:"channel"`
	Text           string          `json:"text,omitempty"`
	Attachments    json.RawMessage `json:"attachments,omitempty"`
	Blocks         json.RawMessage `json:"blocks,omitempty"`
	Username       string          `json:"username,omitempty"`
	IconEmoji      string          `json:"icon_emoji,omitempty"`
	IconURL        string          `json:"icon_url,omitempty"`
	ThreadTS       string          `json:"thread_ts,omitempty"`
	ReplyBroadcast bool            `json:"reply_broadcast,omitempty"`
}

// emoji matches an icon written as an emoji code, e.g. ":robot_face:".
var emoji = regexp.MustCompile(`^:[^:\s]+:$`)

// IconKind says how Slack reads an icon: "emoji", "url", or "" for a value
// it would not accept (Argo ignores such an icon).
func IconKind(icon string) string {
	if emoji.MatchString(icon) {
		return "emoji"
	}
	if u, err := url.Parse(icon); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return "url"
	}
	return ""
}

// resolve returns spec with its parameters applied (compiled as params).
func resolve(spec *v1alpha1.SlackTrigger, params *param.Compiled, events map[string]*event.Event) (*v1alpha1.SlackTrigger, error) {
	if params.Len() == 0 {
		return spec, nil
	}
	doc, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("encoding the slack trigger: %w", err)
	}
	if doc, err = params.Apply(doc, events); err != nil {
		return nil, fmt.Errorf("applying the slack parameters: %w", err)
	}
	applied := &v1alpha1.SlackTrigger{}
	if err := json.Unmarshal(doc, applied); err != nil {
		return nil, fmt.Errorf("decoding the slack trigger after its parameters: %w", err)
	}
	return applied, nil
}

// build checks a resolved spec and returns the message it posts (without
// the thread). The errors are about the manifest or the event: terminal.
func build(spec *v1alpha1.SlackTrigger) (*message, error) {
	m := &message{
		Channel:  strings.TrimPrefix(spec.Channel, "#"),
		Text:     spec.Message,
		Username: spec.Sender.Username,
	}
	if m.Channel == "" {
		return nil, errors.New("no channel to post to")
	}
	if spec.Message == "" && spec.Attachments == "" && spec.Blocks == "" {
		return nil, errors.New("nothing to post: message, attachments and blocks are all empty")
	}
	var err error
	if m.Attachments, err = jsonArray("attachments", spec.Attachments); err != nil {
		return nil, err
	}
	if m.Blocks, err = jsonArray("blocks", spec.Blocks); err != nil {
		return nil, err
	}
	switch IconKind(spec.Sender.Icon) {
	case "emoji":
		m.IconEmoji = spec.Sender.Icon
	case "url":
		m.IconURL = spec.Sender.Icon
	}
	return m, nil
}

// jsonArray checks that s (named field) is empty or a JSON array.
func jsonArray(field, s string) (json.RawMessage, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var arr []json.RawMessage
	if err := json.Unmarshal([]byte(s), &arr); err != nil {
		return nil, fmt.Errorf("%s is not a JSON array: %w", field, err)
	}
	return json.RawMessage(s), nil
}

// answer is the part of Slack's answer Herald reads.
type answer struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	Warning string `json:"warning"`
	TS      string `json:"ts"`
	Channel string `json:"channel"`
}

// transientErrors are the Slack error codes a later call may not get.
var transientErrors = map[string]bool{
	"ratelimited":         true,
	"rate_limited":        true,
	"internal_error":      true,
	"fatal_error":         true,
	"service_unavailable": true,
	"request_timeout":     true,
}
