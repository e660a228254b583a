package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/sensor/param"
	"github.com/herald-dev/herald/internal/trigger"
)

const (
	// maxAnswer is the most of Slack's answer read.
	maxAnswer = 1 << 20
	// defaultRetryAfter is the wait after a 429 without a usable
	// Retry-After; maxRetryAfter bounds the wait Slack may ask for.
	defaultRetryAfter = time.Second
	maxRetryAfter     = 5 * time.Minute
)

// APIError is Slack's answer {"ok": false, "error": Code}.
type APIError struct {
	// Code is Slack's error code, e.g. "channel_not_found".
	Code string
	// RetryAfter is the wait Slack asked for (ratelimited only).
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("slack answered %s (retry after %s)", e.Code, e.RetryAfter)
	}
	return "slack answered " + e.Code
}

var _ trigger.Trigger = (*slackTrigger)(nil)

// slackTrigger is one slack trigger of a Sensor.
type slackTrigger struct {
	env       trigger.Env
	namespace string
	sensor    string
	name      string
	spec      *v1alpha1.SlackTrigger
	params    *param.Compiled
	url       string
	client    *http.Client
	state     *state
}

// Execute posts the message of one firing. A message that cannot be built
// (no channel, nothing to post, attachments or blocks that are not JSON
// arrays, a parameter that does not resolve), a missing token and Slack
// errors other than the transient ones are terminal; the token's Secret
// not being readable, network errors, 5xx answers and rate limiting are
// transient. The token never appears in an error.
func (t *slackTrigger) Execute(ctx context.Context, req *trigger.Request) (trigger.Result, error) {
	spec, msg, err := t.prepare(req)
	if err != nil {
		return trigger.Result{}, trigger.Terminal(fmt.Errorf("preparing the slack message: %w", err))
	}
	ref := "POST " + t.url + " #" + msg.Channel
	namespace := t.namespace
	if req.Sensor != nil {
		namespace = req.Sensor.Namespace
	}
	token, err := t.token(ctx, namespace, spec.SlackToken)
	if err != nil {
		return trigger.Result{Ref: ref}, err
	}
	key := ""
	if k := spec.Thread.MessageAggregationKey; k != "" {
		key = threadKey(namespace, t.sensor, t.name, msg.Channel, k)
		if ts := t.thread(ctx, key); ts != "" {
			msg.ThreadTS = ts
			msg.ReplyBroadcast = spec.Thread.BroadcastMessageToChannel
		}
	}
	limitKey := namespace + "/" + spec.SlackToken.Name + "/" + spec.SlackToken.Key
	if err := t.state.wait(ctx, limitKey); err != nil {
		return trigger.Result{Ref: ref}, fmt.Errorf("waiting for Slack's Retry-After before %s: %w", ref, err)
	}
	ans, err := t.post(ctx, token, msg, limitKey)
	if err != nil {
		return trigger.Result{Ref: ref}, fmt.Errorf("posting %s: %w", ref, err)
	}
	if key != "" && msg.ThreadTS == "" && ans.TS != "" {
		t.saveThread(ctx, key, ans.TS)
	}
	ref += " → ts " + ans.TS
	if msg.ThreadTS != "" {
		ref += " in thread " + msg.ThreadTS
	}
	return trigger.Result{Ref: ref}, nil
}

// prepare returns the request's slack section with its parameters applied
// and the message it posts.
func (t *slackTrigger) prepare(req *trigger.Request) (*v1alpha1.SlackTrigger, *message, error) {
	spec, params := t.spec, t.params
	if req.Trigger != nil && req.Trigger.Template != nil && req.Trigger.Template.Slack != nil && req.Trigger.Template.Slack != t.spec {
		// Trigger-level parameters rewrote the template.
		spec = req.Trigger.Template.Slack
		var err error
		if params, err = param.Compile(spec.Parameters); err != nil {
			return nil, nil, fmt.Errorf("compiling the slack parameters: %w", err)
		}
	}
	spec, err := resolve(spec, params, req.Events)
	if err != nil {
		return nil, nil, err
	}
	if spec.SlackToken == nil {
		return nil, nil, errors.New("slackToken is not set")
	}
	msg, err := build(spec)
	if err != nil {
		return nil, nil, err
	}
	return spec, msg, nil
}

// token reads the bot token from its Secret.
func (t *slackTrigger) token(ctx context.Context, namespace string, sel *corev1.SecretKeySelector) (string, error) {
	if t.env.Secrets == nil {
		return "", trigger.Terminal(fmt.Errorf("reading slackToken %s/%s: no secret reader configured", sel.Name, sel.Key))
	}
	v, err := t.env.Secrets(ctx, namespace, sel)
	if err != nil {
		return "", fmt.Errorf("reading slackToken %s/%s: %w", sel.Name, sel.Key, err)
	}
	token := string(bytes.TrimSpace(v))
	if token == "" {
		return "", trigger.Terminal(fmt.Errorf("reading slackToken %s/%s: the key is empty", sel.Name, sel.Key))
	}
	return token, nil
}

// post sends msg and reads Slack's answer.
func (t *slackTrigger) post(ctx context.Context, token string, msg *message, limitKey string) (*answer, error) {
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, trigger.Terminal(fmt.Errorf("encoding the message: %w", err))
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return nil, trigger.Terminal(fmt.Errorf("building the request: %w", err))
	}
	hreq.Header.Set("Authorization", "Bearer "+token)
	hreq.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := t.client.Do(hreq)
	if err != nil {
		return nil, err // network errors, timeouts, cancellation: transient
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	switch status := resp.StatusCode; {
	case status == http.StatusTooManyRequests:
		d := retryAfter(resp.Header.Get("Retry-After"))
		t.state.hold(limitKey, d)
		return nil, &APIError{Code: "ratelimited", RetryAfter: d}
	case status >= 500, status == http.StatusRequestTimeout:
		return nil, fmt.Errorf("status %d", status)
	case status < 200 || status >= 300:
		return nil, trigger.Terminal(fmt.Errorf("status %d", status))
	}
	var ans answer
	if err := json.Unmarshal(data, &ans); err != nil {
		return nil, fmt.Errorf("the answer is not Slack's JSON: %w", err)
	}
	if !ans.OK {
		if ans.Error == "" {
			ans.Error = "unknown_error"
		}
		apiErr := &APIError{Code: ans.Error}
		if ans.Error == "ratelimited" || ans.Error == "rate_limited" {
			apiErr.RetryAfter = retryAfter(resp.Header.Get("Retry-After"))
			t.state.hold(limitKey, apiErr.RetryAfter)
		}
		if transientErrors[ans.Error] {
			return nil, apiErr
		}
		return nil, trigger.Terminal(apiErr)
	}
	if ans.Warning != "" {
		t.logger().Warn("slack answered with a warning", "trigger", t.name, "warning", ans.Warning)
	}
	return &ans, nil
}

// retryAfter reads a Retry-After header in seconds.
func retryAfter(h string) time.Duration {
	s, err := strconv.Atoi(h)
	if err != nil || s <= 0 {
		return defaultRetryAfter
	}
	return min(time.Duration(s)*time.Second, maxRetryAfter)
}

func (t *slackTrigger) logger() *slog.Logger {
	if t.env.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return t.env.Logger
}

// hold records that Slack asked not to be called with the token of key
// for d.
func (s *state) hold(key string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if until := time.Now().Add(d); until.After(s.notBefore[key]) {
		s.notBefore[key] = until
	}
}

// wait returns once Slack's Retry-After for key has passed, or ctx ended.
func (s *state) wait(ctx context.Context, key string) error {
	s.mu.Lock()
	until, ok := s.notBefore[key]
	if ok && !time.Now().Before(until) {
		delete(s.notBefore, key)
	}
	s.mu.Unlock()
	d := time.Until(until)
	if !ok || d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
