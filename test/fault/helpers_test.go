package fault

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/testenv"
	"github.com/herald-dev/herald/internal/testenv/heraldproc"
)

// startHerald starts the binary under test with args.
func startHerald(tb testing.TB, args ...string) *heraldproc.Process {
	tb.Helper()
	return heraldproc.Start(tb, heraldBin, args...)
}

// waitListening waits until something accepts connections on the loopback
// port (herald's webhook, once it has started).
func waitListening(tb testing.TB, port int) {
	tb.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	require.Eventually(tb, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}, time.Minute, 20*time.Millisecond, "nothing listens on %s", addr)
}

// freePort returns a loopback TCP port nobody listens on now.
func freePort(tb testing.TB) int {
	tb.Helper()
	port, err := testenv.FreePort()
	require.NoError(tb, err)
	return port
}

// writeFile writes a file into dir and returns its path.
func writeFile(tb testing.TB, dir, name, content string) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	require.NoError(tb, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// webhookEventSource is an EventSource with one webhook, "hook", on
// 127.0.0.1:port at /hook.
func webhookEventSource(name string, port int) string {
	return fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: %s
spec:
  webhook:
    hook:
      port: "%d"
      endpoint: /hook
      method: POST
`, name, port)
}

// forwardSensor is a Sensor on the webhook of EventSource source that
// POSTs {"n": body.n} to url; extra is appended to the trigger (YAML
// indented by 6 spaces: retryStrategy, dlqTrigger).
func forwardSensor(name, source, url, extra string) string {
	return fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: %s
spec:
  dependencies:
    - name: in
      eventSourceName: %s
      eventName: hook
  triggers:
    - template:
        name: forward
        http:
          url: %s
          method: POST
          payload:
            - src:
                dependencyName: in
                dataKey: body.n
              dest: "n"
%s`, name, source, url, extra)
}

// metric returns the sum of the samples of a Prometheus metric whose label
// set contains every one of labels (e.g. `sensor="poison"`), read from the
// /metrics page at addr.
func metric(tb testing.TB, addr, name string, labels ...string) float64 {
	tb.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(tb, err)
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		sample, value, ok := strings.Cut(line, " ")
		if !ok || !hasLabels(sample, labels) {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		require.NoError(tb, err, "metric line %q", line)
		sum += v
	}
	require.NoError(tb, sc.Err())
	return sum
}

func hasLabels(sample string, labels []string) bool {
	for _, l := range labels {
		if !strings.Contains(sample, l) {
			return false
		}
	}
	return true
}
