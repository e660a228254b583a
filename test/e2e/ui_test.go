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

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/internal/testenv"
)

// chromiumPath is Debian's chromium, which `make test-deps` installs.
const chromiumPath = "/usr/bin/chromium"

// The svc-events edge and node of the auto-ingress graph.
const (
	svcEventsNode = "event/playground/ingress-es/svc-events"
	svcEventsEdge = "eventsource/playground/ingress-es->" + svcEventsNode
)

// TestWebUIShowsTheAutoIngressFlow loads the web UI of `herald dev -f
// examples/auto-ingress` in a headless Chromium, creates fortune.yaml's
// Service, and checks that the graph's svc-events edge counts the event and
// that the event's trace shows the Ingress the k8s trigger created. It
// leaves screenshots in $HERALD_ARTIFACTS_DIR (default test/e2e/artifacts).
// It also calls every path internal/ui/openapi.yaml documents.
func TestWebUIShowsTheAutoIngressFlow(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("%s is missing: run `make test-deps`", chromiumPath)
	}
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	assets, err := testenv.AssetsDir()
	require.NoError(t, err)
	dir := t.TempDir()
	uiURL := fmt.Sprintf("http://127.0.0.1:%d/", freePort(t))
	metrics := freePort(t)
	startHerald(t, "dev", "-f", filepath.Join(root, "examples", "auto-ingress"), "--assets", assets,
		"--dir", filepath.Join(dir, "dev"), "--metrics-addr", fmt.Sprintf("127.0.0.1:%d", metrics),
		"--ui-addr", strings.TrimSuffix(strings.TrimPrefix(uiURL, "http://"), "/"))
	require.Eventually(t, func() bool {
		return httpStatus(t, fmt.Sprintf("http://127.0.0.1:%d/readyz", metrics)) == http.StatusOK &&
			httpStatus(t, uiURL+"api/v1/flow") == http.StatusOK
	}, 90*time.Second, 100*time.Millisecond, "herald dev and its UI become ready")

	ctx := newBrowser(t, filepath.Join(dir, "chromium"))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(uiURL),
		chromedp.WaitVisible(chromedp.CSS(`[data-edge="`+svcEventsEdge+`"]`)),
	))
	before := edgeCount(t, ctx, svcEventsEdge)

	cfg, err := clientcmd.BuildConfigFromFlags("", filepath.Join(dir, "dev", "kubeconfig"))
	require.NoError(t, err)
	newKube(t, cfg).applyFile(t, fortuneService(t, root, dir))

	require.Eventually(t, func() bool {
		return edgeCount(t, ctx, svcEventsEdge) > before
	}, 30*time.Second, 200*time.Millisecond, "the svc-events edge counts the Service's event")
	saveScreenshot(t, ctx, "ui-flow.png")

	// The event's trace: click the event node, then its triggered event.
	const triggeredEvent = `.event-list li:has(.outcome.triggered)`
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-node-id="`+svcEventsNode+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(triggeredEvent)),
	))
	saveScreenshot(t, ctx, "ui-node.png")
	id := evalString(t, ctx, `document.querySelector("`+triggeredEvent+`").dataset.eventId`)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(triggeredEvent))))
	var triggered string
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		triggered = evalString(t, ctx, `[...document.querySelectorAll("#trace tbody tr.stage-triggered")].map(r => r.textContent).join("\n")`)
		assert.Contains(c, triggered, "fortune-svc-ingress")
	}, 15*time.Second, 200*time.Millisecond, "the trace shows the created Ingress")
	saveScreenshot(t, ctx, "ui-trace.png")

	t.Run("documented paths answer", func(t *testing.T) {
		checkDocumentedPaths(t, root, uiURL, id)
	})
}

// TestWebUIAsksForTheTokenAndShowsFailures runs a webhook flow behind
// --ui-token: the page asks for the token once (a prompt), then draws the
// graph, where the filtered event shows on the dependency's edge and the
// trigger whose HTTP target is down on a red edge.
func TestWebUIAsksForTheTokenAndShowsFailures(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("%s is missing: run `make test-deps`", chromiumPath)
	}
	const token = "s3cret"
	dir := t.TempDir()
	port := freePort(t)
	writeFile(t, dir, "es.yaml", webhookEventSource("hooks", port))
	writeFile(t, dir, "sn.yaml", notifySensor(fmt.Sprintf(`    - template:
        name: call-down
        http:
          url: http://127.0.0.1:%d/
          method: POST
`, freePort(t))))
	uiAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	uiURL := "http://" + uiAddr + "/"
	startHerald(t, "run", "-f", dir, "--data-dir", filepath.Join(dir, "data"), "--webhook-host", "127.0.0.1",
		"--metrics-addr", "", "--ui-addr", uiAddr, "--ui-token", token)
	require.Eventually(t, func() bool {
		return httpStatus(t, uiURL+"api/v1/flow") == http.StatusUnauthorized
	}, 30*time.Second, 100*time.Millisecond, "the API asks for the token")
	require.Equal(t, http.StatusOK, httpStatus(t, uiURL), "the page loads without the token")
	for _, kind := range []string{"hello", "bye"} {
		require.Eventually(t, func() bool {
			resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/example", port), "application/json",
				strings.NewReader(`{"kind":"`+kind+`"}`))
			if err != nil {
				return false
			}
			_ = resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}, 30*time.Second, 100*time.Millisecond, "the webhook takes %s", kind)
	}

	ctx := newBrowser(t, filepath.Join(dir, "chromium"))
	prompt, err := chromedp.Run(ctx, chromedp.WaitEvent(page.JavascriptDialogOpening, nil, chromedp.Navigate(uiURL)))
	require.NoError(t, err)
	require.Equal(t, page.DialogTypePrompt, prompt.Type)
	require.NoError(t, chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true, PromptText: token})
		return err
	})))

	// The objects are in herald's default namespace.
	const (
		dependencyEdge = "/hooks/example->dependency/"
		failedEdge     = "/notify->trigger/"
	)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		got := evalString(t, ctx, fmt.Sprintf(`(() => {
			const dep = document.querySelector('[data-edge*=%q][data-edge$="/notify/greeting"]');
			const failed = document.querySelector('[data-edge*=%q][data-edge$="/notify/call-down"]');
			return [dep?.textContent.includes("1 filtered"), failed?.classList.contains("failed"), /\d+ failed/.test(failed?.textContent)].join("|");
		})()`, dependencyEdge, failedEdge))
		// The failing trigger's event is redelivered: the counts keep growing.
		assert.Equal(c, "true|true|true", got)
	}, 30*time.Second, 200*time.Millisecond, "the graph shows the filtered event and the failing trigger")
	require.Equal(t, token, evalString(t, ctx, `sessionStorage.getItem("herald-ui-token")`))
	saveScreenshot(t, ctx, "ui-failures.png")
}

// fortuneService writes the Service of examples/auto-ingress/fortune.yaml
// (without its Deployment) to a file in dir.
func fortuneService(t *testing.T, root, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "examples", "auto-ingress", "fortune.yaml"))
	require.NoError(t, err)
	for _, doc := range strings.Split(string(raw), "\n---") {
		var obj struct{ Kind string }
		require.NoError(t, yaml.Unmarshal([]byte(doc), &obj))
		if obj.Kind == "Service" {
			return writeFile(t, dir, "fortune-svc.yaml", doc)
		}
	}
	t.Fatal("fortune.yaml has no Service")
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile and no
// network of its own.
func newBrowser(t *testing.T, profile string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1600, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancel)
	return ctx
}

// evalString evaluates a JavaScript expression that gives a string.
func evalString(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	require.NoError(t, err)
	return s
}

// edgeCount reads the count an edge of the graph shows (-1: not drawn).
func edgeCount(t *testing.T, ctx context.Context, edge string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](
		fmt.Sprintf(`Number(document.querySelector('[data-edge=%q]')?.dataset.count ?? -1)`, edge)))
	require.NoError(t, err)
	return n
}

// saveScreenshot writes a screenshot of the page to the artifacts folder.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("HERALD_ARTIFACTS_DIR")
	if dir == "" {
		dir = "artifacts"
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	path, err := filepath.Abs(filepath.Join(dir, name))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s", path)
}

func httpStatus(t *testing.T, url string) int {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// checkDocumentedPaths calls each operation of internal/ui/openapi.yaml on
// the running server ({id}: an event it recorded) and checks that it answers
// with one of the documented statuses and media types.
func checkDocumentedPaths(t *testing.T, root, base, eventID string) {
	raw, err := os.ReadFile(filepath.Join(root, "internal", "ui", "openapi.yaml"))
	require.NoError(t, err)
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]any `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	require.NotEmpty(t, doc.Paths)
	for path, methods := range doc.Paths {
		for method, op := range methods {
			method = strings.ToUpper(method)
			t.Run(method+" "+path, func(t *testing.T) {
				url := base + strings.TrimPrefix(strings.ReplaceAll(path, "{id}", eventID), "/")
				if strings.HasSuffix(path, "/replay") {
					url += "?sensor=ingress-sn"
				}
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				req, err := http.NewRequestWithContext(ctx, method, url, nil)
				require.NoError(t, err)
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				// A stream answers its headers at once and never ends.
				if !strings.HasSuffix(path, "/stream") {
					_, _ = io.Copy(io.Discard, resp.Body)
				}
				status := fmt.Sprint(resp.StatusCode)
				r, ok := op.Responses[status]
				require.True(t, ok, "%s %s answered %s, not a documented status", method, url, status)
				require.Less(t, resp.StatusCode, 300, "%s %s", method, url)
				media, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
				if len(r.Content) > 0 {
					_, ok := r.Content[media]
					require.True(t, ok, "%s %s: Content-Type %q", method, url, media)
				}
			})
		}
	}
}
