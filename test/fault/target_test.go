package fault

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestTriggerTargetDown streams events to an HTTP trigger whose target
// goes down for a while: the Sensor retries with backoff (the bus
// redelivers) and every event reaches the target once it is back.
func TestTriggerTargetDown(t *testing.T) {
	total, downFor := sized(300, 2000), sized(15*time.Second, 60*time.Second)
	dir := t.TempDir()
	target := newSink(t)
	webhookPort, metricsPort := freePort(t), freePort(t)
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", metricsPort)
	writeFile(t, dir, "es.yaml", webhookEventSource("stream", webhookPort))
	writeFile(t, dir, "sn.yaml", forwardSensor("forward", "stream", target.url(), `      retryStrategy:
        steps: 2
        duration: 100ms
`))
	herald := startHerald(t, "run", "-f", dir, "--data-dir", filepath.Join(dir, "data"), "--webhook-host", "127.0.0.1",
		"--metrics-addr", metricsAddr, "--ui-addr", "", "--log-level", "error")

	ctx, cancel := context.WithTimeout(t.Context(), sized(3*time.Minute, 15*time.Minute))
	defer cancel()
	s := newSender(webhookPort)
	s.sendAll(ctx, total/3, 4)
	target.stop()
	down := time.Now()
	s.sendAll(ctx, total, 4)                    // the first third again (deduplicated), then the rest
	<-time.After(time.Until(down.Add(downFor))) // the outage itself
	require.Less(t, target.tally().distinct, total, "events reached a target that was down")
	target.start(t)
	require.NoError(t, ctx.Err())

	require.Eventually(t, func() bool { return target.tally().distinct == total }, sized(2*time.Minute, 10*time.Minute), 100*time.Millisecond,
		"events never reached the target once it was back, e.g. %v", target.missing(total))
	target.checkIDs(t)
	failed := metric(t, metricsAddr, "herald_sensor_triggers_failed_total", `terminal="false"`)
	retries := metric(t, metricsAddr, "herald_sensor_trigger_retries_total")
	lettered := metric(t, metricsAddr, "herald_sensor_events_dead_lettered_total")
	require.Positive(t, failed, "no transient failure counted while the target was down")
	require.Zero(t, lettered, "events dead-lettered although the target came back")
	require.False(t, herald.Exited())
	got := target.tally()
	t.Logf("events: %d sent, target down %s; %0.f transient trigger failures, %.0f retries; target: %d distinct, %d duplicates, 0 lost",
		total, downFor, failed, retries, got.distinct, got.duplicates)
}

// TestTriggerRetryBudgetExceeded sends events to a trigger that keeps
// failing for some of them: those events are dead-lettered to the
// dlqTrigger (another target) and counted in
// herald_sensor_events_dead_lettered_total; none is lost silently. The
// short version fails them with 400 (terminal at once); the long one with
// 503, so that they exhaust Herald's delivery budget (10 deliveries with
// backoff, about 4 minutes) first.
func TestTriggerRetryBudgetExceeded(t *testing.T) {
	const total = 200
	poison := func(n int) bool { return n%10 == 0 }
	failure := sized(400, 503)
	dir := t.TempDir()
	target := newSink(t, func(s *sink) {
		s.status = func(n int) int {
			if poison(n) {
				return failure
			}
			return 200
		}
	})
	dlq := newSink(t)
	webhookPort, metricsPort := freePort(t), freePort(t)
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", metricsPort)
	writeFile(t, dir, "es.yaml", webhookEventSource("stream", webhookPort))
	writeFile(t, dir, "sn.yaml", forwardSensor("poison", "stream", target.url(), fmt.Sprintf(`      retryStrategy:
        steps: 2
        duration: 50ms
      dlqTrigger:
        template:
          name: dead-letter
          http:
            url: %s
            method: POST
            payload:
              - src:
                  dependencyName: in
                  dataKey: body.n
                dest: "n"
`, dlq.url())))
	startHerald(t, "run", "-f", dir, "--data-dir", filepath.Join(dir, "data"), "--webhook-host", "127.0.0.1",
		"--metrics-addr", metricsAddr, "--ui-addr", "", "--log-level", "error")

	ctx, cancel := context.WithTimeout(t.Context(), sized(2*time.Minute, 15*time.Minute))
	defer cancel()
	s := newSender(webhookPort)
	s.sendAll(ctx, total, 4)
	require.NoError(t, ctx.Err())

	within := sized(2*time.Minute, 10*time.Minute)
	require.Eventually(t, func() bool { return target.tally().distinct == total*9/10 }, within, 100*time.Millisecond)
	require.Eventually(t, func() bool { return dlq.tally().distinct == total/10 }, within, 100*time.Millisecond,
		"poison events not dead-lettered, e.g. %v", dlq.missing(total))
	require.Eventually(t, func() bool {
		return metric(t, metricsAddr, "herald_sensor_events_dead_lettered_total", `sensor="poison"`) == total/10
	}, 30*time.Second, 100*time.Millisecond, "dead-lettered events not counted")
	dlq.checkIDs(t)
	t.Logf("events: %d sent, %d failing with %d; %d delivered, %d dead-lettered and counted, 0 lost",
		total, total/10, failure, target.tally().distinct, dlq.tally().distinct)
}
