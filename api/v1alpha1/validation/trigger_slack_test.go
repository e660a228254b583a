package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// withTrigger returns the default support with trigger kind added, so that
// these tests do not depend on which kinds DefaultSupport lists.
func withTrigger(kind string) Support {
	s := DefaultSupport()
	s.Triggers[kind] = true
	return s
}

// runKindCases runs sensor cases with support s.
func runKindCases(t *testing.T, s Support, cases []sensorCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sn := validSensor()
			c.mutate(sn)
			requireResult(t, ValidateSensor(sn, s), c.errs, c.warns)
		})
	}
}

// slackTrig replaces the first trigger's kind with a valid slack trigger
// and returns it.
func slackTrig(sn *v1alpha1.Sensor) *v1alpha1.SlackTrigger {
	trig(sn).K8s = nil
	trig(sn).Slack = &v1alpha1.SlackTrigger{
		SlackToken: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "slack-secret"}, Key: "token"},
		Channel:    "general",
		Message:    "hello world",
	}
	return trig(sn).Slack
}

func TestValidateSlackTrigger(t *testing.T) {
	const p = "spec.triggers[0].template.slack"
	messageParam := v1alpha1.TriggerParameter{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "body.message"}, Dest: "message"}
	runKindCases(t, withTrigger("slack"), []sensorCase{
		{name: "valid", mutate: func(sn *v1alpha1.Sensor) { slackTrig(sn) }},
		{name: "valid with everything", mutate: func(sn *v1alpha1.Sensor) {
			s := slackTrig(sn)
			s.Attachments = `[{"title":"a"}]`
			s.Blocks = "[]"
			s.Sender = v1alpha1.SlackSender{Username: "bot", Icon: ":robot_face:"}
			s.Thread = v1alpha1.SlackThread{MessageAggregationKey: "k", BroadcastMessageToChannel: true}
			s.Parameters = []v1alpha1.TriggerParameter{messageParam}
		}},
		{name: "icon URL", mutate: func(sn *v1alpha1.Sensor) { slackTrig(sn).Sender.Icon = "https://example.com/i.png" }},
		{
			name:   "no token",
			mutate: func(sn *v1alpha1.Sensor) { slackTrig(sn).SlackToken = nil },
			errs:   []string{p + ".slackToken: slackToken is required: the Secret key holding the Slack bot token"},
		},
		{
			name:   "token without key",
			mutate: func(sn *v1alpha1.Sensor) { slackTrig(sn).SlackToken.Key = "" },
			errs:   []string{p + ".slackToken.key: key is required: the Secret key holding the Slack bot token"},
		},
		{
			name:   "no channel",
			mutate: func(sn *v1alpha1.Sensor) { slackTrig(sn).Channel = "#" },
			errs:   []string{p + ".channel: channel is required: the Slack channel (name or id) the message is posted to"},
		},
		{
			name: "channel set by a trigger-level parameter",
			mutate: func(sn *v1alpha1.Sensor) {
				slackTrig(sn).Channel = ""
				sn.Spec.Triggers[0].Parameters = []v1alpha1.TriggerParameter{{
					Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "body.channel"}, Dest: "slack.channel",
				}}
			},
		},
		{
			name:   "nothing to post",
			mutate: func(sn *v1alpha1.Sensor) { slackTrig(sn).Message = "" },
			errs:   []string{p + ": nothing to post: set message, attachments or blocks"},
		},
		{
			name: "message set by a parameter",
			mutate: func(sn *v1alpha1.Sensor) {
				s := slackTrig(sn)
				s.Message = ""
				s.Parameters = []v1alpha1.TriggerParameter{messageParam}
			},
		},
		{
			name: "attachments and blocks not arrays",
			mutate: func(sn *v1alpha1.Sensor) {
				s := slackTrig(sn)
				s.Attachments = `{"title":"a"}`
				s.Blocks = `[{`
			},
			errs: []string{
				p + ".attachments: attachments must be a JSON array (as a string): got a JSON object",
				p + ".blocks: blocks must be a JSON array (as a string): unexpected end of JSON input",
			},
		},
		{
			name:   "icon neither emoji nor URL",
			mutate: func(sn *v1alpha1.Sensor) { slackTrig(sn).Sender.Icon = "robot" },
			warns:  []string{p + `.sender.icon: icon "robot" is ignored: want an emoji such as :robot_face: or an http(s) image URL`},
		},
		{
			name:   "broadcast without a thread",
			mutate: func(sn *v1alpha1.Sensor) { slackTrig(sn).Thread.BroadcastMessageToChannel = true },
			warns:  []string{p + ".thread.broadcastMessageToChannel: broadcastMessageToChannel is ignored without messageAggregationKey: messages are not threaded"},
		},
	})
}
