package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestEventTraces runs a webhook EventSource and a Sensor with a filter and
// a log trigger, sends one event the filter rejects and one it takes, and
// reads both traces with `herald events show`: the trigger's result and the
// filter's reason. After a restart on the same data folder the traces are
// still there.
func TestEventTraces(t *testing.T) {
	dir := t.TempDir()
	port, uiPort := freePort(t), freePort(t)
	server := fmt.Sprintf("http://127.0.0.1:%d", uiPort)
	writeFile(t, dir, "es.yaml", webhookEventSource("hooks", port))
	writeFile(t, dir, "sn.yaml", notifySensor(""))
	args := []string{
		"run", "-f", dir, "--data-dir", filepath.Join(dir, "data"), "--webhook-host", "127.0.0.1",
		"--metrics-addr", "", "--ui-addr", fmt.Sprintf("127.0.0.1:%d", uiPort), "--ui-token", "tok",
	}
	p := startHerald(t, args...)
	post := func(body string) int {
		resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/example", port), "application/json", strings.NewReader(body))
		if err != nil {
			return 0
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	require.Eventually(t, func() bool { return post(`{"kind":"other"}`) == http.StatusOK }, 30*time.Second, 50*time.Millisecond)
	require.Equal(t, http.StatusOK, post(`{"kind":"hello"}`))

	// The API lists the events with their outcome.
	byOutcome := func() map[string]string {
		req, err := http.NewRequest(http.MethodGet, server+"/api/v1/events", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil
		}
		defer resp.Body.Close()
		var list struct {
			Events []struct{ ID, Outcome string }
		}
		if json.NewDecoder(resp.Body).Decode(&list) != nil {
			return nil
		}
		out := map[string]string{}
		for _, e := range list.Events {
			out[e.Outcome] = e.ID
		}
		return out
	}
	var ids map[string]string
	require.Eventually(t, func() bool {
		ids = byOutcome()
		return ids["triggered"] != "" && ids["filtered"] != ""
	}, 30*time.Second, 50*time.Millisecond, "both events traced")

	show := func(id string) string {
		t.Helper()
		cmd := exec.Command(heraldBin, "events", "show", id, "--server", server)
		cmd.Env = append(cmd.Environ(), "HERALD_UI_TOKEN=tok")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return string(out)
	}
	check := func() {
		t.Helper()
		fired := show(ids["triggered"])
		require.Contains(t, fired, "Outcome:   triggered")
		require.Regexp(t, `triggered\s+notify/log-it`, fired)
		require.Contains(t, fired, `"kind": "hello"`)
		filtered := show(ids["filtered"])
		require.Contains(t, filtered, "Outcome:   filtered")
		require.Contains(t, filtered, `notify/greeting  data[0] body.kind: saw "other"`)
	}
	check()

	p.Stop(t)
	startHerald(t, args...)
	require.Eventually(t, func() bool {
		again := byOutcome()
		return again["triggered"] == ids["triggered"]
	}, 30*time.Second, 50*time.Millisecond, "the index is rebuilt after a restart")
	check()
}
