package fault

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestOverloadMemoryLevelsOff floods a webhook whose Sensor calls a slow
// HTTP target with about ten times the events the target can take, and
// samples herald's resident memory meanwhile: it stays under a bound and
// levels off (the last third of the samples grows no more than a margin
// over the rest). Answers other than 200 are 429 or 503 with Retry-After.
func TestOverloadMemoryLevelsOff(t *testing.T) {
	const (
		bound  = 512 << 20 // bytes of VmRSS herald must stay under
		margin = 1.5       // the last third's peak over the earlier peak
	)
	flood := sized(45*time.Second, 3*time.Minute)
	// More clients than a webhook port handles at once (1024) in the long
	// version, so that some are refused.
	clients := sized(64, 1500)
	dir := t.TempDir()
	// The target takes 20ms per call: 16 Sensor workers make about 800
	// calls/s at most; the clients sending as fast as they can offer
	// several thousand events/s.
	target := newSink(t, func(s *sink) { s.delay = 20 * time.Millisecond })
	webhookPort := freePort(t)
	writeFile(t, dir, "es.yaml", webhookEventSource("flood", webhookPort))
	writeFile(t, dir, "sn.yaml", forwardSensor("forward", "flood", target.url(), ""))
	args := []string{
		"run", "-f", dir, "--data-dir", filepath.Join(dir, "data"), "--webhook-host", "127.0.0.1",
		"--metrics-addr", "", "--ui-addr", "", "--log-level", "error",
	}
	if extra := os.Getenv("HERALD_FAULT_RUN_ARGS"); extra != "" {
		args = append(args, strings.Fields(extra)...)
	}
	herald := startHerald(t, args...)
	waitListening(t, webhookPort) // refused connections would count as unanswered

	ctx, cancel := context.WithTimeout(t.Context(), flood)
	defer cancel()
	s := newSender(webhookPort)
	var sent sync.WaitGroup
	var next int64
	var mu sync.Mutex
	for range clients {
		sent.Go(func() {
			for ctx.Err() == nil {
				mu.Lock()
				n := int(next)
				next++
				mu.Unlock()
				if s.sendUntilOK(ctx, n) {
					continue
				}
			}
		})
	}
	var samples []int64
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
sampling:
	for {
		select {
		case <-ctx.Done():
			break sampling
		case <-tick.C:
			rss, err := vmRSS(herald.PID())
			require.NoError(t, err)
			samples = append(samples, rss)
		}
	}
	sent.Wait()
	require.False(t, herald.Exited(), "herald exited:\n%s", herald.Output())
	require.GreaterOrEqual(t, len(samples), 30)

	third := len(samples) / 3
	earlier, last := peak(samples[:len(samples)-third]), peak(samples[len(samples)-third:])
	require.Less(t, peak(samples), int64(bound), "VmRSS over the bound")
	require.LessOrEqual(t, float64(last), float64(earlier)*margin, "VmRSS still growing: %d MiB in the last third, %d MiB before",
		last>>20, earlier>>20)
	for status := range s.refusals() {
		if status != 0 {
			require.Contains(t, []int{429, 503}, status, "answers other than 200, 429 and 503: %v", s.refusals())
		}
	}
	require.Zero(t, s.noRetryAfter.Load(), "429 or 503 without Retry-After")
	t.Logf("flood of %s by %d clients: %d events accepted (%.0f/s), target took %d (%.0f/s); refused %v; VmRSS peak %d MiB before the last third, %d MiB in it",
		flood, clients, s.acked.Load(), float64(s.acked.Load())/flood.Seconds(), target.tally().deliveries,
		float64(target.tally().deliveries)/flood.Seconds(), s.refusals(), earlier>>20, last>>20)
}

func peak(xs []int64) int64 {
	var m int64
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// vmRSS reads a process's resident memory from /proc/<pid>/status.
func vmRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("reading the status of process %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parsing VmRSS %q: %w", v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in the status of process %d", pid)
}
