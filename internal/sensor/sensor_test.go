package sensor

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

const singleDep = `
metadata: {name: single, namespace: ns}
spec:
  dependencies:
  - {name: dep, eventSourceName: es, eventName: ev}
  triggers:
  - template: {name: rec, log: {}}
`

func TestSingleDependencyFiresPerEvent(t *testing.T) {
	h := newHarness(t)
	start(t, h.config(t, sensorYAML(t, singleDep)))
	for i := range 3 {
		h.publish(t, "es", "ev", fmt.Sprintf("id-%d", i), `{"n":1}`)
	}
	h.publish(t, "es", "other", "unrelated", `{}`)
	eventually(t, func() bool { return len(h.rec.of("rec")) == 3 }, "three firings")
	require.ElementsMatch(t, []string{"id-0", "id-1", "id-2"}, h.rec.ids("rec"))
	c := h.rec.of("rec")[0]
	require.Contains(t, c.Events, "dep")
	require.Equal(t, "rec", c.Spec.Template.Name)
	eventually(t, func() bool { return h.fate.acks("id-2") == 1 }, "acked")
}

func TestTransformRunsBeforeFilters(t *testing.T) {
	h := newHarness(t)
	s := sensorYAML(t, transformThenFilter)
	start(t, h.config(t, s))
	h.publish(t, "es", "ev", "del", `{"type":"DELETE"}`)
	h.publish(t, "es", "ev", "add", `{"type":"ADD"}`)
	eventually(t, func() bool { return len(h.rec.of("rec")) == 1 }, "one firing")
	c := h.rec.of("rec")[0]
	require.Equal(t, "add", c.EventID)
	require.JSONEq(t, `{"type":"ADD","op":"create"}`, string(c.Events["dep"].Data))
	eventually(t, func() bool { return h.fate.acks("del") == 1 }, "filtered event acked")
}

const twoDeps = `
metadata: {name: two, namespace: ns}
spec:
  dependencies:
  - {name: a, eventSourceName: es, eventName: a}
  - {name: b, eventSourceName: es, eventName: b}
  triggers:
  - template:
      name: rec
      conditions: %q
      log: {}
%s
`

func TestConditions(t *testing.T) {
	for _, tc := range []struct {
		name, cond string
		publish    []string
		fired      []string
	}{
		{"and", "a && b", []string{"a1", "a2", "b1", "b2", "a3"}, []string{"b1", "a3"}},
		{"or", "a || b", []string{"a1", "b1"}, []string{"a1", "b1"}},
		{"default is all", "", []string{"b1", "a1"}, []string{"a1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			start(t, h.config(t, sensorYAML(t, fmt.Sprintf(twoDeps, tc.cond, ""))))
			for _, id := range tc.publish {
				h.publish(t, "es", id[:1], id, fmt.Sprintf(`{"id":%q}`, id))
				eventually(t, func() bool { return h.fate.acks(id) == 1 }, "%s acked", id)
			}
			require.Equal(t, tc.fired, h.rec.ids("rec"))
		})
	}
	t.Run("and fires with the latest event of each", func(t *testing.T) {
		h := newHarness(t)
		start(t, h.config(t, sensorYAML(t, fmt.Sprintf(twoDeps, "a && b", ""))))
		// a1 and a2 are kept in order; b1, of another key, could overtake
		// a2 if it were published before a2 was handled.
		h.publish(t, "es", "a", "a1", `{"id":"a1"}`)
		h.publish(t, "es", "a", "a2", `{"id":"a2"}`)
		eventually(t, func() bool { return h.fate.acks("a2") == 1 }, "a2 acked")
		h.publish(t, "es", "b", "b1", `{"id":"b1"}`)
		eventually(t, func() bool { return len(h.rec.of("rec")) == 1 }, "fired")
		c := h.rec.of("rec")[0]
		require.JSONEq(t, `{"id":"a2"}`, string(c.Events["a"].Data))
		require.JSONEq(t, `{"id":"b1"}`, string(c.Events["b"].Data))
	})
}

func TestHalfSatisfiedConditionSurvivesRestart(t *testing.T) {
	h := newHarness(t)
	s := sensorYAML(t, fmt.Sprintf(twoDeps, "a && b", ""))
	stop := start(t, h.config(t, s))
	h.publish(t, "es", "a", "a1", `{}`)
	eventually(t, func() bool { return h.fate.acks("a1") == 1 }, "a1 acked")
	stop()

	start(t, h.config(t, s))
	h.publish(t, "es", "b", "b1", `{}`)
	eventually(t, func() bool { return len(h.rec.of("rec")) == 1 }, "fired after restart")
	c := h.rec.of("rec")[0]
	require.Equal(t, "b1", c.EventID)
	require.Equal(t, "a1", c.Events["a"].ID)
	require.Equal(t, "b1", c.Events["b"].ID)
}

// clock is a settable time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func TestConditionsReset(t *testing.T) {
	h := newHarness(t)
	s := sensorYAML(t, fmt.Sprintf(twoDeps, "a && b", `      conditionsReset:
      - byTime: {cron: "0 12 * * *", timezone: "Europe/Paris"}`))
	clk := &clock{now: time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)} // 11:30 in Paris
	cfg := h.config(t, s)
	cfg.Now = clk.Now
	start(t, cfg)

	h.publish(t, "es", "a", "a1", `{}`)
	eventually(t, func() bool { return h.fate.acks("a1") == 1 }, "a1 acked")
	clk.set(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)) // noon in Paris: reset
	h.publish(t, "es", "b", "b1", `{}`)
	eventually(t, func() bool { return h.fate.acks("b1") == 1 }, "b1 acked")
	require.Empty(t, h.rec.of("rec"), "a1 was gathered before the reset")

	h.publish(t, "es", "a", "a2", `{}`)
	eventually(t, func() bool { return len(h.rec.of("rec")) == 1 }, "fired")
	c := h.rec.of("rec")[0]
	require.Equal(t, "a2", c.Events["a"].ID)
	require.Equal(t, "b1", c.Events["b"].ID)
}

func TestTransientFailureIsRedelivered(t *testing.T) {
	h := newHarness(t)
	h.rec.on("rec", func(n int, _ *trigger.Request) error {
		if n < 3 {
			return errTransient
		}
		return nil
	})
	m := newCounting()
	cfg := h.config(t, sensorYAML(t, singleDep))
	cfg.Metrics = m
	start(t, cfg)
	h.publish(t, "es", "ev", "id-1", `{}`)
	eventually(t, func() bool { return h.fate.acks("id-1") == 1 }, "acked after the third try")
	require.Equal(t, []string{"id-1", "id-1", "id-1"}, h.rec.ids("rec"))
	require.Equal(t, 2, h.fate.naks("id-1"))
	require.Equal(t, int64(2), m.get("failed_transient"))
	require.Equal(t, int64(1), m.get("succeeded"))
	require.Equal(t, int64(3), m.get("received"))
}

func TestTerminalFailureIsDeadLettered(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		maxDeliver int
		tries      int
	}{
		{"terminal error", trigger.Terminal(fmt.Errorf("422 invalid object")), 0, 1},
		{"delivered too often", errTransient, 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.rec.on("rec", func(int, *trigger.Request) error { return tc.err })
			m := newCounting()
			cfg := h.config(t, sensorYAML(t, `
metadata: {name: dlq, namespace: ns}
spec:
  dependencies:
  - {name: dep, eventSourceName: es, eventName: ev}
  triggers:
  - template: {name: rec, http: {url: "http://sink.invalid/"}}
    atLeastOnce: true
    dlqTrigger:
      template: {name: dead, log: {}}
`))
			cfg.Metrics = m
			cfg.MaxDeliver = tc.maxDeliver
			start(t, cfg)
			h.publish(t, "es", "ev", "id-1", `{"x":1}`)
			eventually(t, func() bool { return h.fate.acks("id-1") == 1 }, "acked")
			require.Len(t, h.rec.of("rec"), tc.tries)
			dead := h.rec.of("dead")
			require.Len(t, dead, 1)
			require.Equal(t, "id-1", dead[0].EventID)
			require.JSONEq(t, `{"x":1}`, string(dead[0].Events["dep"].Data))
			require.Equal(t, int64(1), m.get("dead_lettered"))
			require.Equal(t, int64(1), m.get("failed_terminal"))
			require.Equal(t, tc.tries-1, h.fate.naks("id-1"))
		})
	}
}

func TestAtMostOnceAcksFirstAndIgnoresFailure(t *testing.T) {
	h := newHarness(t)
	h.rec.on("rec", func(int, *trigger.Request) error { return errTransient })
	cfg := h.config(t, sensorYAML(t, singleDep))
	cfg.AtMostOnceUnlessSet = true
	start(t, cfg)
	h.publish(t, "es", "ev", "id-1", `{}`)
	h.publish(t, "es", "ev", "id-2", `{}`)
	eventually(t, func() bool { return len(h.rec.of("rec")) == 2 }, "both fired")
	require.Equal(t, 1, h.fate.acks("id-1"))
	require.Equal(t, 1, h.fate.acks("id-2"))
	require.Zero(t, h.fate.naks("id-1"))
	require.ElementsMatch(t, []string{"id-1", "id-2"}, h.rec.ids("rec"))
}

func TestEventsOfOneObjectStayInOrder(t *testing.T) {
	h := newHarness(t)
	const keys, perKey = 20, 10
	// The first event of obj-0 waits until an event of another object
	// has fired: if keys were not handled in parallel, it would wait
	// forever.
	other := make(chan struct{})
	obj0Running := make(chan struct{})
	var closeOther, markObj0 sync.Once
	var running, maxRunning atomic.Int32
	h.rec.on("rec", func(_ int, req *trigger.Request) error {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := maxRunning.Load()
			if n <= m || maxRunning.CompareAndSwap(m, n) {
				break
			}
		}
		name := gjson.GetBytes(req.Events["dep"].Data, "body.metadata.name").Str
		if req.EventID == "obj-0-0" {
			markObj0.Do(func() { close(obj0Running) })
			select {
			case <-other:
			case <-time.After(20 * time.Second):
				return trigger.Terminal(fmt.Errorf("no other object fired meanwhile"))
			}
			return nil
		}
		if keyHash(orderKey(req.Events["dep"]))%4 != keyHash("obj\x00default/obj-0")%4 && name != "obj-0" {
			// Fire while obj-0-0 is running (and blocked), so that the two
			// overlap whatever order the workers start in.
			select {
			case <-obj0Running:
			case <-time.After(20 * time.Second):
			}
			closeOther.Do(func() { close(other) })
		}
		return nil
	})
	start(t, h.config(t, sensorYAML(t, singleDep)))
	for i := range perKey {
		for k := range keys {
			h.publish(t, "es", "ev", fmt.Sprintf("obj-%d-%d", k, i),
				fmt.Sprintf(`{"type":"UPDATE","body":{"metadata":{"namespace":"default","name":"obj-%d"},"seq":%d}}`, k, i))
		}
	}
	eventually(t, func() bool { return len(h.rec.of("rec")) == keys*perKey }, "all fired")
	seen := map[string][]string{}
	for _, id := range h.rec.ids("rec") {
		k := id[:strings.LastIndex(id, "-")]
		seen[k] = append(seen[k], id)
	}
	for k := range keys {
		var want []string
		for i := range perKey {
			want = append(want, fmt.Sprintf("obj-%d-%d", k, i))
		}
		require.Equal(t, want, seen[fmt.Sprintf("obj-%d", k)])
	}
	require.Greater(t, maxRunning.Load(), int32(1))
}

func TestCrashBetweenTriggerAndAck(t *testing.T) {
	h := newHarness(t)
	ctx, crash := context.WithCancel(context.Background())
	h.rec.on("rec", func(n int, _ *trigger.Request) error {
		if n == 1 {
			crash()
		}
		return nil
	})
	cfg := h.config(t, sensorYAML(t, singleDep))
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, cfg) }()
	h.publish(t, "es", "ev", "id-1", `{}`)
	require.NoError(t, <-errc)
	require.Zero(t, h.fate.acks("id-1"))

	start(t, cfg)
	eventually(t, func() bool { return h.fate.acks("id-1") == 1 }, "acked after the restart")
	require.Equal(t, []string{"id-1", "id-1"}, h.rec.ids("rec"))
}

func TestTransformErrorSkipsOnlyThatEvent(t *testing.T) {
	h := newHarness(t)
	m := newCounting()
	cfg := h.config(t, sensorYAML(t, `
metadata: {name: bad, namespace: ns}
spec:
  dependencies:
  - {name: dep, eventSourceName: es, eventName: ev, transform: {jq: '.y = .x + 1'}}
  triggers:
  - template: {name: rec, log: {}}
`))
	cfg.Metrics = m
	start(t, cfg)
	h.publish(t, "es", "ev", "bad", `[1,2]`)
	h.publish(t, "es", "ev", "good", `{"x":1}`)
	eventually(t, func() bool { return h.fate.acks("good") == 1 && h.fate.acks("bad") == 1 }, "both acked")
	require.Equal(t, []string{"good"}, h.rec.ids("rec"))
	require.JSONEq(t, `{"x":1,"y":2}`, string(h.rec.of("rec")[0].Events["dep"].Data))
	require.Equal(t, int64(1), m.get("filtered_"+ReasonTransformError))
}

func TestTriggerParametersRewriteTemplate(t *testing.T) {
	h := newHarness(t)
	start(t, h.config(t, sensorYAML(t, `
metadata: {name: params, namespace: ns}
spec:
  dependencies:
  - {name: dep, eventSourceName: es, eventName: ev}
  triggers:
  - template: {name: rec, http: {url: "http://default/"}}
    parameters:
    - {src: {dependencyName: dep, dataKey: url}, dest: http.url}
`)))
	h.publish(t, "es", "ev", "id-1", `{"url":"http://one/"}`)
	h.publish(t, "es", "ev", "id-2", `{"url":"http://two/"}`)
	h.publish(t, "es", "ev", "id-3", `{"url":"http://one/"}`)
	eventually(t, func() bool { return len(h.rec.of("rec")) == 3 }, "all fired")
	// Events that name no object are handled in parallel, in any order.
	urls := map[string]string{}
	for _, c := range h.rec.of("rec") {
		urls[c.EventID] = c.Spec.Template.HTTP.URL
	}
	require.Equal(t, map[string]string{"id-1": "http://one/", "id-2": "http://two/", "id-3": "http://one/"}, urls)
}

func TestCompileErrors(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown kind", `
metadata: {name: x, namespace: ns}
spec:
  dependencies: [{name: dep, eventSourceName: es, eventName: ev}]
  triggers: [{template: {name: t, slack: {}}}]`, `trigger kind "slack" is not supported`},
		{"bad condition", `
metadata: {name: x, namespace: ns}
spec:
  dependencies: [{name: dep, eventSourceName: es, eventName: ev}]
  triggers: [{template: {name: t, log: {}, conditions: "dep &&"}}]`, "parsing the conditions of trigger t"},
		{"bad cron", `
metadata: {name: x, namespace: ns}
spec:
  dependencies: [{name: dep, eventSourceName: es, eventName: ev}]
  triggers: [{template: {name: t, log: {}, conditionsReset: [{byTime: {cron: "@hourly"}}]}}]`, `parsing cron "@hourly"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Run(t.Context(), h.config(t, sensorYAML(t, tc.doc)))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// counting is a Metrics that counts by name.
type counting struct {
	mu sync.Mutex
	n  map[string]int64
}

func newCounting() *counting { return &counting{n: map[string]int64{}} }

func (c *counting) inc(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[k]++
}

func (c *counting) get(k string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[k]
}

func (c *counting) EventReceived()                 { c.inc("received") }
func (c *counting) EventFiltered(_, reason string) { c.inc("filtered_" + reason) }
func (c *counting) TriggerSucceeded(string)        { c.inc("succeeded") }
func (c *counting) DeadLettered(string)            { c.inc("dead_lettered") }
func (c *counting) EventTransformed(string)        { c.inc("transformed") }
func (c *counting) TriggerRetried(_ string, n int) {
	for range n {
		c.inc("retried")
	}
}
func (c *counting) TriggerDuration(string, time.Duration) { c.inc("fired") }
func (c *counting) EventHandled(time.Duration)            { c.inc("handled") }
func (c *counting) TriggerFailed(_ string, term bool) {
	if term {
		c.inc("failed_terminal")
	} else {
		c.inc("failed_transient")
	}
}

// transformThenFilter is a Sensor whose filter reads what its transform
// wrote: only ADD events (op "create") pass.
const transformThenFilter = `
metadata: {name: tf, namespace: ns}
spec:
  dependencies:
  - name: dep
    eventSourceName: es
    eventName: ev
    transform:
      jq: '.op = {"ADD": "create", "DELETE": "delete"}[.type]'
    filters:
      data:
      - {path: op, type: string, value: ["^create$"]}
  triggers:
  - template: {name: rec, log: {}}
`

func TestLoggingFields(t *testing.T) {
	sn := &v1alpha1.Sensor{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "deploy"}}
	require.Equal(t, []any{"namespace", "ns", "sensor", "deploy"}, loggingFields(sn))
	sn.Spec.LoggingFields = map[string]string{"team": "platform", "env": "prod", "sensor": "other"}
	require.Equal(t, []any{"namespace", "ns", "sensor", "deploy", "env", "prod", "team", "platform"}, loggingFields(sn))
}
