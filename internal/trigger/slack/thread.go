package slack

import (
	"context"
	"strings"
)

// threadKey names the thread of an aggregation key in a channel, for one
// trigger of a Sensor.
func threadKey(namespace, sensor, trigger, channel, key string) string {
	return "slack/threads/" + strings.Join([]string{namespace, sensor, trigger, channel, key}, "/")
}

// thread returns the timestamp of the first message of the thread key, or
// "" when none was posted: from memory, else from the Sensor run's store.
// A store that cannot be read starts a new thread (logged).
func (t *slackTrigger) thread(ctx context.Context, key string) string {
	t.state.mu.Lock()
	ts, ok := t.state.threads[key]
	t.state.mu.Unlock()
	if ok {
		return ts
	}
	if t.env.Background == nil || t.env.Background.Store == nil {
		return ""
	}
	v, err := t.env.Background.Store.Get(ctx, key)
	if err != nil {
		t.logger().Warn("reading the slack thread from the store", "trigger", t.name, "error", err)
		return ""
	}
	if v == nil {
		return ""
	}
	ts = string(v)
	t.state.mu.Lock()
	t.state.threads[key] = ts
	t.state.mu.Unlock()
	return ts
}

// saveThread records ts as the first message of the thread key, in memory
// and in the Sensor run's store.
func (t *slackTrigger) saveThread(ctx context.Context, key, ts string) {
	t.state.mu.Lock()
	t.state.threads[key] = ts
	t.state.mu.Unlock()
	if t.env.Background == nil || t.env.Background.Store == nil {
		return
	}
	if err := t.env.Background.Store.Put(ctx, key, []byte(ts)); err != nil {
		t.logger().Warn("saving the slack thread to the store", "trigger", t.name, "error", err)
	}
}
