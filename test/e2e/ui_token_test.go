package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// TestUITokenGuardsEveryRoute runs herald with --ui-token and calls every
// operation internal/ui/openapi.yaml documents with no token, wrong tokens
// and the right one (as a bearer header and as the access_token parameter
// browsers' EventSource uses): only the right token gets through, and a
// refusal is 401 without the token in it. Paths written to slip past a
// prefix check get no data either.
func TestUITokenGuardsEveryRoute(t *testing.T) {
	const token = "ui-guard-7c1e"
	dir := t.TempDir()
	port, uiPort := freePort(t), freePort(t)
	writeFile(t, dir, "es.yaml", webhookEventSource("hooks", port))
	writeFile(t, dir, "sn.yaml", notifySensor(""))
	startHerald(t, "run", "-f", dir, "--data-dir", filepath.Join(dir, "data"), "--webhook-host", "127.0.0.1",
		"--metrics-addr", "", "--ui-addr", fmt.Sprintf("127.0.0.1:%d", uiPort), "--ui-token", token)
	base := fmt.Sprintf("http://127.0.0.1:%d", uiPort)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	call := func(method, rawURL string, header http.Header) (int, string, http.Header) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, method, rawURL, nil)
		require.NoError(t, err)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := noRedirect.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var b []byte
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			b = make([]byte, 0) // a stream never ends: its status is enough
		} else if b, err = io.ReadAll(resp.Body); err != nil {
			b = nil
		}
		return resp.StatusCode, string(b), resp.Header
	}

	// One event, so that the {id} routes have one.
	require.Eventually(t, func() bool {
		resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/example", port), "application/json", strings.NewReader(`{"kind":"hello"}`))
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond)
	var id string
	require.Eventually(t, func() bool {
		code, body, _ := call(http.MethodGet, base+"/api/v1/events", http.Header{"Authorization": {"Bearer " + token}})
		_, after, ok := strings.Cut(body, `"id":"`)
		if code != http.StatusOK || !ok {
			return false
		}
		id, _, _ = strings.Cut(after, `"`)
		return id != ""
	}, 30*time.Second, 100*time.Millisecond, "the event is listed")

	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "internal", "ui", "openapi.yaml"))
	require.NoError(t, err)
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	require.NotEmpty(t, doc.Paths)

	type credential struct {
		name   string
		header http.Header
		query  string
		ok     bool
	}
	creds := []credential{
		{name: "no token"},
		{name: "wrong token", header: http.Header{"Authorization": {"Bearer nope"}}},
		{name: "token prefix", header: http.Header{"Authorization": {"Bearer " + token[:len(token)-1]}}},
		{name: "token with a suffix", header: http.Header{"Authorization": {"Bearer " + token + "x"}}},
		{name: "token without Bearer", header: http.Header{"Authorization": {token}}},
		{name: "token as basic auth", header: http.Header{"Authorization": {"Basic " + token}}},
		{name: "wrong access_token", query: "access_token=nope"},
		{name: "right token", header: http.Header{"Authorization": {"Bearer " + token}}, ok: true},
		{name: "right access_token", query: "access_token=" + token, ok: true},
	}
	routes := 0
	for path, methods := range doc.Paths {
		for method, op := range methods {
			method = strings.ToUpper(method)
			routes++
			for _, c := range creds {
				t.Run(method+" "+path+" "+c.name, func(t *testing.T) {
					u := base + strings.ReplaceAll(path, "{id}", id)
					q := []string{}
					if strings.HasSuffix(path, "/replay") {
						q = append(q, "sensor=notify")
					}
					if c.query != "" {
						q = append(q, c.query)
					}
					if len(q) > 0 {
						u += "?" + strings.Join(q, "&")
					}
					code, body, h := call(method, u, c.header)
					if !c.ok {
						require.Equal(t, http.StatusUnauthorized, code, body)
						require.Equal(t, `Bearer realm="herald"`, h.Get("WWW-Authenticate"))
						require.NotContains(t, body, token)
						return
					}
					require.Contains(t, op.Responses, fmt.Sprint(code), "a documented status: %s", body)
					require.Less(t, code, 300, body)
				})
			}
		}
	}
	require.GreaterOrEqual(t, routes, 6, "every documented operation was called")

	// Written to slip past a check on the "/api/" prefix: none gives data.
	for _, p := range []string{"//api/v1/events", "/api/v1/../v1/events", "/./api/v1/events", "/%61pi/v1/events", "/API/v1/events", "/api/v1/events/", "/api//v1/events"} {
		code, body, _ := call(http.MethodGet, base+p, nil)
		require.NotEqual(t, http.StatusOK, code, "%s answered 200: %s", p, body)
		require.NotContains(t, body, id, p)
	}
	// The page itself loads without the token and asks for it.
	code, _, _ := call(http.MethodGet, base+"/", nil)
	require.Equal(t, http.StatusOK, code)
}
