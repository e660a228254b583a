package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
	"github.com/herald-dev/herald/internal/trigger/slack"
	"github.com/herald-dev/herald/internal/trigger/triggertest"
)

const (
	attachmentsJSON = `[{"title":"Attachment1!","color":"#18be52","fields":[{"title":"Hello1","value":"Hello World1","short":true}]}]`
	blocksJSON      = `[{"type":"section","text":{"type":"mrkdwn","text":"*hi*"}}]`
)

func TestConformance(t *testing.T) {
	spec := &v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "general", Message: "hello"}
	triggertest.Run(t, triggertest.Harness{
		New: func(t *testing.T) trigger.Trigger { return build(t, kindFor(newFakeSlack(t)), testEnv(), spec) },
		Request: func(i int) *trigger.Request {
			return request(fmt.Sprintf("ev-%d", i), `{}`)
		},
		Blocking: func(t *testing.T) trigger.Trigger {
			f := newFakeSlack(t)
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			f.answer = func(_ int, _ map[string]any, w http.ResponseWriter) { <-release }
			return build(t, kindFor(f), testEnv(), spec)
		},
	})
}

func TestPostsEveryField(t *testing.T) {
	f := newFakeSlack(t)
	tr := build(t, kindFor(f), testEnv(), &v1alpha1.SlackTrigger{
		SlackToken:  tokenRef,
		Channel:     "#general",
		Message:     "hello world",
		Attachments: attachmentsJSON,
		Blocks:      "\n" + blocksJSON + "\n",
		Sender:      v1alpha1.SlackSender{Username: "herald", Icon: ":robot_face:"},
	})
	res, err := tr.Execute(t.Context(), request("ev", `{}`))
	require.NoError(t, err)
	require.Equal(t, "POST "+f.URL()+"chat.postMessage #general → ts 1001.000", res.Ref)
	calls := f.Calls()
	require.Len(t, calls, 1)
	want := map[string]any{
		"channel":     "general",
		"text":        "hello world",
		"attachments": decode(t, attachmentsJSON),
		"blocks":      decode(t, blocksJSON),
		"username":    "herald",
		"icon_emoji":  ":robot_face:",
	}
	require.Equal(t, want, calls[0].Body)

	// An icon that is a URL is sent as icon_url; no sender, no fields.
	tr = build(t, kindFor(f), testEnv(), &v1alpha1.SlackTrigger{
		SlackToken: tokenRef, Channel: "C123", Blocks: blocksJSON,
		Sender: v1alpha1.SlackSender{Icon: "https://example.com/bot.png"},
	})
	_, err = tr.Execute(t.Context(), request("ev", `{}`))
	require.NoError(t, err)
	require.Equal(t, map[string]any{"channel": "C123", "blocks": decode(t, blocksJSON), "icon_url": "https://example.com/bot.png"}, f.Calls()[1].Body)
}

func decode(t *testing.T, s string) any {
	var v any
	require.NoError(t, json.Unmarshal([]byte(s), &v))
	return v
}

func TestParameters(t *testing.T) {
	f := newFakeSlack(t)
	spec := &v1alpha1.SlackTrigger{
		SlackToken: tokenRef, Channel: "general", Message: "hello world",
		Parameters: []v1alpha1.TriggerParameter{{
			Src:  &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "message"},
			Dest: "message",
		}},
	}
	tr := build(t, kindFor(f), testEnv(), spec)
	_, err := tr.Execute(t.Context(), request("ev", `{"message":"from the event"}`))
	require.NoError(t, err)
	require.Equal(t, "from the event", f.Calls()[0].Body["text"])

	// Trigger-level parameters rewrote the template: the request's wins.
	rewritten := *spec
	rewritten.Channel = "#ops"
	req := request("ev", `{"message":"again"}`)
	req.Trigger = triggerOf(&rewritten)
	_, err = tr.Execute(t.Context(), req)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"channel": "ops", "text": "again"}, f.Calls()[1].Body)
}

func TestThreads(t *testing.T) {
	f := newFakeSlack(t)
	store := &memStore{}
	env := testEnv()
	env.Background = &trigger.Background{Done: make(chan struct{}), Store: store}
	spec := &v1alpha1.SlackTrigger{
		SlackToken: tokenRef, Channel: "general", Message: "m",
		Thread: v1alpha1.SlackThread{MessageAggregationKey: "deploy-42", BroadcastMessageToChannel: true},
	}
	kind := kindFor(f)
	tr := build(t, kind, env, spec)
	for range 3 {
		_, err := tr.Execute(t.Context(), request("ev", `{}`))
		require.NoError(t, err)
	}
	other := *spec
	other.Channel = "random"
	res, err := build(t, kind, env, &other).Execute(t.Context(), request("ev", `{}`))
	require.NoError(t, err)
	require.Equal(t, "POST "+f.URL()+"chat.postMessage #random → ts 1004.000", res.Ref)

	calls := f.Calls()
	require.Equal(t, map[string]any{"channel": "general", "text": "m"}, calls[0].Body, "the first message starts the thread")
	for _, c := range calls[1:3] {
		require.Equal(t, map[string]any{"channel": "general", "text": "m", "thread_ts": "1001.000", "reply_broadcast": true}, c.Body)
	}
	require.Equal(t, map[string]any{"channel": "random", "text": "m"}, calls[3].Body, "a thread per channel")

	// After a restart (a new kind: nothing in memory) the thread is found
	// in the store.
	res, err = build(t, kindFor(f), env, spec).Execute(t.Context(), request("ev", `{}`))
	require.NoError(t, err)
	require.Equal(t, "POST "+f.URL()+"chat.postMessage #general → ts 1005.000 in thread 1001.000", res.Ref)
	require.Equal(t, "1001.000", f.Calls()[4].Body["thread_ts"])
}

func TestSlackErrors(t *testing.T) {
	slackError := func(code string, header map[string]string) func(int, map[string]any, http.ResponseWriter) {
		return func(_ int, _ map[string]any, w http.ResponseWriter) {
			for k, v := range header {
				w.Header().Set(k, v)
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": code})
		}
	}
	status := func(code int, header map[string]string) func(int, map[string]any, http.ResponseWriter) {
		return func(_ int, _ map[string]any, w http.ResponseWriter) {
			for k, v := range header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(code)
			_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
		}
	}
	for _, tc := range []struct {
		name       string
		answer     func(int, map[string]any, http.ResponseWriter)
		terminal   bool
		want       string
		code       string
		retryAfter time.Duration
	}{
		{"channel not found", slackError("channel_not_found", nil), true, "slack answered channel_not_found", "channel_not_found", 0},
		{"invalid auth", slackError("invalid_auth", nil), true, "slack answered invalid_auth", "invalid_auth", 0},
		{"not in channel", slackError("not_in_channel", nil), true, "slack answered not_in_channel", "not_in_channel", 0},
		{"internal error", slackError("internal_error", nil), false, "slack answered internal_error", "internal_error", 0},
		{"ratelimited in the body", slackError("ratelimited", map[string]string{"Retry-After": "2"}), false, "slack answered ratelimited (retry after 2s)", "ratelimited", 2 * time.Second},
		{"429", status(http.StatusTooManyRequests, map[string]string{"Retry-After": "3"}), false, "slack answered ratelimited (retry after 3s)", "ratelimited", 3 * time.Second},
		{"429 without Retry-After", status(http.StatusTooManyRequests, nil), false, "slack answered ratelimited (retry after 1s)", "ratelimited", time.Second},
		{"500", status(http.StatusInternalServerError, nil), false, "status 500", "", 0},
		{"404", status(http.StatusNotFound, nil), true, "status 404", "", 0},
		{"not JSON", func(_ int, _ map[string]any, w http.ResponseWriter) { _, _ = w.Write([]byte("<html>")) }, false, "the answer is not Slack's JSON", "", 0},
		{"no error code", func(_ int, _ map[string]any, w http.ResponseWriter) { _, _ = w.Write([]byte(`{"ok":false}`)) }, true, "slack answered unknown_error", "unknown_error", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeSlack(t)
			f.answer = tc.answer
			var logs bytes.Buffer
			env := testEnv()
			env.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			tr := build(t, kindFor(f), env, &v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "general", Message: "m"})
			_, err := tr.Execute(t.Context(), request("ev", `{}`))
			require.ErrorContains(t, err, "posting POST "+f.URL()+"chat.postMessage #general: "+tc.want)
			require.Equal(t, tc.terminal, trigger.IsTerminal(err), "%v", err)
			require.NotContains(t, err.Error(), token)
			require.NotContains(t, logs.String(), token)
			var apiErr *slack.APIError
			if tc.code == "" {
				require.False(t, errors.As(err, &apiErr))
				return
			}
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, tc.code, apiErr.Code)
			require.Equal(t, tc.retryAfter, apiErr.RetryAfter)
		})
	}
}

func TestRetryAfterIsWaited(t *testing.T) {
	f := newFakeSlack(t)
	f.answer = func(n int, _ map[string]any, w http.ResponseWriter) {
		if n == 1 {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		okAnswer(n)(w)
	}
	kind := kindFor(f)
	tr := build(t, kind, testEnv(), &v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "general", Message: "m"})
	_, err := tr.Execute(t.Context(), request("ev", `{}`))
	require.False(t, trigger.IsTerminal(err), "%v", err)

	// Within the 120 s, a firing (of any trigger of the kind using the same
	// token) waits instead of calling Slack: here until its context ends.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = build(t, kind, testEnv(), &v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "other", Message: "m"}).Execute(ctx, request("ev", `{}`))
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "waiting for Slack's Retry-After")
	require.False(t, trigger.IsTerminal(err))
	require.Len(t, f.Calls(), 1, "Slack was not called again")

	// Another kind (another process) is not held.
	_, err = build(t, kindFor(f), testEnv(), &v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "general", Message: "m"}).Execute(t.Context(), request("ev", `{}`))
	require.NoError(t, err)
}

func TestBadInput(t *testing.T) {
	missingSecret := testEnv()
	missingSecret.Secrets = secrets(nil)
	emptySecret := testEnv()
	emptySecret.Secrets = secrets(map[string]string{"ns/slack-secret/token": " \n"})
	noReader := testEnv()
	noReader.Secrets = nil
	for _, tc := range []struct {
		name     string
		spec     v1alpha1.SlackTrigger
		env      trigger.Env
		terminal bool
		want     string
	}{
		{"no channel", v1alpha1.SlackTrigger{SlackToken: tokenRef, Message: "m"}, testEnv(), true, "preparing the slack message: no channel to post to"},
		{"only a hash", v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "#", Message: "m"}, testEnv(), true, "no channel to post to"},
		{"nothing to post", v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "c"}, testEnv(), true, "nothing to post: message, attachments and blocks are all empty"},
		{"attachments not an array", v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "c", Attachments: `{"title":"x"}`}, testEnv(), true, "attachments is not a JSON array"},
		{"blocks not JSON", v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "c", Blocks: `[{`}, testEnv(), true, "blocks is not a JSON array"},
		{"no token", v1alpha1.SlackTrigger{Channel: "c", Message: "m"}, testEnv(), true, "slackToken is not set"},
		{"token Secret missing", v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "c", Message: "m"}, missingSecret, false, "reading slackToken slack-secret/token: secret not found"},
		{"token empty", v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "c", Message: "m"}, emptySecret, true, "reading slackToken slack-secret/token: the key is empty"},
		{"no secret reader", v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "c", Message: "m"}, noReader, true, "no secret reader configured"},
		{"parameter that does not resolve", v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "c", Message: "m", Parameters: []v1alpha1.TriggerParameter{{
			Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "absent"}, Dest: "message",
		}}}, testEnv(), true, "applying the slack parameters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeSlack(t)
			_, err := build(t, kindFor(f), tc.env, &tc.spec).Execute(t.Context(), request("ev", `{}`))
			require.ErrorContains(t, err, tc.want)
			require.Equal(t, tc.terminal, trigger.IsTerminal(err), "%v", err)
			require.Empty(t, f.Calls(), "nothing sent")
		})
	}
}

func TestBaseURL(t *testing.T) {
	f := newFakeSlack(t)
	t.Setenv(slack.EnvBaseURL, strings.TrimSuffix(f.URL(), "/"))
	res, err := build(t, slack.NewKind(slack.Options{}), testEnv(), &v1alpha1.SlackTrigger{SlackToken: tokenRef, Channel: "c", Message: "m"}).
		Execute(t.Context(), request("ev", `{}`))
	require.NoError(t, err)
	require.Equal(t, "POST "+f.URL()+"chat.postMessage #c → ts 1001.000", res.Ref)

	kind, ok := trigger.Default.Lookup(slack.Name)
	require.True(t, ok)
	require.Contains(t, kind.Doc, slack.EnvBaseURL)
}

func TestRender(t *testing.T) {
	f := newFakeSlack(t)
	tr := build(t, kindFor(f), testEnv(), &v1alpha1.SlackTrigger{
		SlackToken: tokenRef, Channel: "#general", Message: "m",
		Thread: v1alpha1.SlackThread{MessageAggregationKey: "k"},
	})
	out, err := tr.(trigger.Renderer).Render(t.Context(), request("ev", `{}`), trigger.RenderOptions{})
	require.NoError(t, err)
	require.Equal(t, "POST", out.Operation)
	require.Equal(t, f.URL()+"chat.postMessage", out.Target)
	require.Equal(t, "Bearer "+trigger.Masked, out.Headers["Authorization"])
	require.JSONEq(t, `{"channel":"general","text":"m"}`, string(out.Object))
	require.Len(t, out.Notes, 1)
	require.Empty(t, f.Calls())
}
