package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventsource/webhook"
)

// TestSecretsNeverLeak runs herald against a real API server with known
// secret values in Secrets: a webhook's bearer token and HMAC key, a
// GitLab secret token, a GitHub webhook secret, and an http trigger's
// secure header and basic auth. It sends accepted and refused requests
// (near-miss tokens included), lets one trigger succeed and one fail, then
// reads everything Herald shows: the process log (at debug level), `herald
// events show` and `herald events tail`, the web UI's API and page, and
// /metrics. No secret value appears in any of them, nor its base64 form.
func TestSecretsNeverLeak(t *testing.T) {
	cp, k := startCluster(t)
	secret := func(what string) string {
		b := make([]byte, 8)
		_, err := rand.Read(b)
		require.NoError(t, err)
		return "leak-" + what + "-" + hex.EncodeToString(b)
	}
	s := map[string]string{
		"webhook token": secret("token"), "webhook hmac": secret("hmac"), "gitlab token": secret("gitlab"),
		"github secret": secret("github"), "secure header": secret("header"), "basic user": secret("user"),
		"basic password": secret("password"), "ui token": secret("ui"),
	}

	// The sinks: one that takes the trigger's request (and checks the
	// credentials arrived), one that always fails, echoing them.
	var mu sync.Mutex
	var okCalls, failCalls int
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		if r.Header.Get("X-Api-Key") != s["secure header"] || user != s["basic user"] || pass != s["basic password"] {
			http.Error(w, "bad credentials", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		okCalls++
		mu.Unlock()
	}))
	t.Cleanup(ok.Close)
	fail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		failCalls++
		mu.Unlock()
		// Like many servers, it echoes the request's headers in its error.
		var echo strings.Builder
		for k, v := range r.Header {
			echo.WriteString(k + ": " + strings.Join(v, ",") + "; ")
		}
		http.Error(w, "sink is down; you sent "+echo.String(), http.StatusInternalServerError)
	}))
	t.Cleanup(fail.Close)

	dir := t.TempDir()
	port, uiPort, metricsPort := freePort(t), freePort(t), freePort(t)
	writeFile(t, dir, "secrets.yaml", fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata:
  name: sec
---
apiVersion: v1
kind: Secret
metadata:
  name: hook
  namespace: sec
stringData:
  token: %q
  hmac: %q
  gitlab: %q
  github: %q
---
apiVersion: v1
kind: Secret
metadata:
  name: sink
  namespace: sec
stringData:
  apikey: %q
  user: %q
  pass: %q
`, s["webhook token"], s["webhook hmac"], s["gitlab token"], s["github secret"], s["secure header"], s["basic user"], s["basic password"]))
	k.applyFile(t, filepath.Join(dir, "secrets.yaml"))

	manifests := filepath.Join(dir, "manifests")
	require.NoError(t, os.Mkdir(manifests, 0o700))
	writeFile(t, manifests, "es.yaml", fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: hooks
  namespace: sec
spec:
  webhook:
    signed:
      port: "%[1]d"
      endpoint: /signed
      method: POST
      authSecret: {name: hook, key: token}
      hmacSecret: {name: hook, key: hmac}
  gitlab:
    gl:
      webhook: {port: "%[1]d", endpoint: /gitlab, method: POST}
      secretToken: {name: hook, key: gitlab}
      events: [PushEvents]
  github:
    gh:
      webhook: {port: "%[1]d", endpoint: /github, method: POST}
      webhookSecret: {name: hook, key: github}
`, port))
	creds := `        secureHeaders:
        - name: X-Api-Key
          valueFrom:
            secretKeyRef: {name: sink, key: apikey}
        basicAuth:
          username: {name: sink, key: user}
          password: {name: sink, key: pass}
`
	writeFile(t, manifests, "sn.yaml", fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: leak
  namespace: sec
spec:
  dependencies:
  - name: hook
    eventSourceName: hooks
    eventName: signed
  triggers:
  - template:
      name: good-sink
      http:
        url: %[1]s/ok
        method: POST
%[3]s        payload:
        - src: {dependencyName: hook, dataKey: body}
          dest: event
  - template:
      name: bad-sink
      http:
        url: %[2]s/fail
        method: POST
%[3]s  - template:
      name: log-it
      log: {}
---
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: vcs
  namespace: sec
spec:
  dependencies:
  - name: gl
    eventSourceName: hooks
    eventName: gl
  - name: gh
    eventSourceName: hooks
    eventName: gh
  triggers:
  - template:
      name: log-it
      conditions: "gl || gh"
      log: {}
`, ok.URL, fail.URL, creds))

	server := fmt.Sprintf("http://127.0.0.1:%d", uiPort)
	p := startHerald(t, "run", "-f", manifests, "--kubeconfig", cp.Kubeconfig, "--data-dir", filepath.Join(dir, "data"),
		"--webhook-host", "127.0.0.1", "--metrics-addr", fmt.Sprintf("127.0.0.1:%d", metricsPort),
		"--ui-addr", fmt.Sprintf("127.0.0.1:%d", uiPort), "--ui-token", s["ui token"], "--log-level", "debug", "--log-format", "json")

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	post := func(path, body string, header http.Header) int {
		req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	body := `{"kind":"hello"}`
	signedBy := func(token, key string) http.Header {
		return http.Header{"Authorization": {"Bearer " + token}, webhook.SignatureHeader: {webhook.Sign([]byte(key), []byte(body))}}
	}
	good := signedBy(s["webhook token"], s["webhook hmac"])
	// Wait for every endpoint (they come up in no particular order), then
	// start following the events.
	require.Eventually(t, func() bool {
		return post("/gitlab", `{}`, http.Header{"X-Gitlab-Event": {"Note Hook"}, "X-Gitlab-Token": {s["gitlab token"]}}) == http.StatusOK &&
			post("/github", `{}`, http.Header{"X-Github-Event": {"ping"}}) == http.StatusUnauthorized &&
			post("/signed", `{}`, nil) == http.StatusUnauthorized
	}, 60*time.Second, 50*time.Millisecond, "the endpoints answer")
	tail := startHerald(t, "events", "tail", "--server", server, "--token", s["ui token"])

	require.Equal(t, http.StatusOK, post("/signed", body, good))
	refused := map[string]http.Header{
		"no credentials":          {},
		"token with a suffix":     signedBy(s["webhook token"]+"x", s["webhook hmac"]),
		"token cut short":         signedBy(s["webhook token"][:len(s["webhook token"])-1], s["webhook hmac"]),
		"signed with another key": signedBy(s["webhook token"], s["webhook hmac"]+"x"),
		"no signature":            {"Authorization": {"Bearer " + s["webhook token"]}},
		"the key as signature":    {"Authorization": {"Bearer " + s["webhook token"]}, webhook.SignatureHeader: {"sha256=" + s["webhook hmac"]}},
	}
	for name, h := range refused {
		require.Equal(t, http.StatusUnauthorized, post("/signed", body, h), name)
	}
	push := `{"object_kind":"push"}`
	require.Equal(t, http.StatusOK, post("/gitlab", push, http.Header{"X-Gitlab-Event": {"Push Hook"}, "X-Gitlab-Token": {s["gitlab token"]}}))
	require.Equal(t, http.StatusUnauthorized, post("/gitlab", push, http.Header{"X-Gitlab-Event": {"Push Hook"}, "X-Gitlab-Token": {s["gitlab token"] + "y"}}))
	ghBody := `{"zen":"hi"}`
	require.Equal(t, http.StatusOK, post("/github", ghBody, http.Header{"X-Github-Event": {"ping"}, webhook.SignatureHeader: {webhook.Sign([]byte(s["github secret"]), []byte(ghBody))}}))
	require.Equal(t, http.StatusUnauthorized, post("/github", ghBody, http.Header{"X-Github-Event": {"ping"}, webhook.SignatureHeader: {webhook.Sign([]byte(s["github secret"]+"z"), []byte(ghBody))}}))

	// The API asks for the token, without telling it.
	apiGet := func(path, token string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, server+path, nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate") + "\n" + string(b)
	}
	var list struct {
		Events []struct{ ID, Outcome, EventSource, Event string }
	}
	require.Eventually(t, func() bool {
		mu.Lock()
		done := okCalls >= 1 && failCalls >= 2
		mu.Unlock()
		code, raw := apiGet("/api/v1/events?limit=100", s["ui token"])
		if !done || code != http.StatusOK || json.Unmarshal([]byte(raw[strings.Index(raw, "\n")+1:]), &list) != nil {
			return false
		}
		outcomes := map[string]int{}
		for _, e := range list.Events {
			outcomes[e.Outcome]++
		}
		// The failing trigger's event is redelivered (with backoff) while
		// the other triggers have fired for it.
		return len(list.Events) == 3 && outcomes["triggered"] == 3
	}, 90*time.Second, 200*time.Millisecond, "the events are handled, one trigger failing: %+v", &list)

	// Gather everything Herald shows.
	seen := map[string]string{}
	for _, path := range []string{"/api/v1/events?limit=100", "/api/v1/flow", "/api/v1/openapi.yaml", "/"} {
		code, out := apiGet(path, s["ui token"])
		require.Equal(t, http.StatusOK, code, path)
		seen["GET "+path] = out
	}
	for _, path := range []string{"/api/v1/events", "/api/v1/flow"} {
		for _, token := range []string{"", "wrong", s["ui token"] + "x"} {
			code, out := apiGet(path, token)
			require.Equal(t, http.StatusUnauthorized, code, path)
			seen["GET "+path+" with token "+token] = out
		}
	}
	for _, e := range list.Events {
		code, out := apiGet("/api/v1/events/"+e.ID, s["ui token"])
		require.Equal(t, http.StatusOK, code)
		seen["GET /api/v1/events/"+e.ID] = out
		cmd := exec.Command(heraldBin, "events", "show", e.ID, "--server", server, "--token", s["ui token"])
		shown, err := cmd.CombinedOutput()
		require.NoError(t, err, string(shown))
		seen["herald events show "+e.ID] = string(shown)
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	require.NoError(t, err)
	metricsText, err := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, err)
	seen["/metrics"] = string(metricsText)
	require.Eventually(t, func() bool { return strings.Contains(tail.Output(), "hooks/signed") },
		30*time.Second, 100*time.Millisecond, "herald events tail printed the events: %q", tail.Output())
	seen["herald events tail"] = tail.Output()
	seen["herald run log"] = p.Output()
	require.Contains(t, strings.Join(mapValues(seen), "\n"), "sink is down", "the failing trigger's error is shown")
	require.Contains(t, seen["herald run log"], "log trigger fired", "the log trigger printed the events")
	require.Contains(t, seen["herald run log"], "\"level\":\"DEBUG\"", "debug logging was on")

	for what, value := range s {
		forms := map[string]string{"": value, " (base64)": base64.StdEncoding.EncodeToString([]byte(value))}
		if what == "basic password" {
			forms[" (basic auth)"] = base64.StdEncoding.EncodeToString([]byte(s["basic user"] + ":" + value))
		}
		for form, v := range forms {
			for place, text := range seen {
				require.NotContains(t, text, v, "the %s%s appears in %s", what, form, place)
			}
		}
	}
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
