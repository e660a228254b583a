package file

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

func TestEventTypesHaveArgoPayload(t *testing.T) {
	for _, tc := range []struct {
		eventType string
		op        int
		change    func(t *testing.T, dir string)
	}{
		{"CREATE", 1, func(t *testing.T, dir string) { write(t, dir, "a.txt") }},
		{"WRITE", 2, func(t *testing.T, dir string) { write(t, dir, "a.txt") }},
		{"REMOVE", 4, func(t *testing.T, dir string) {
			write(t, dir, "a.txt")
			require.NoError(t, os.Remove(filepath.Join(dir, "a.txt")))
		}},
		{"RENAME", 8, func(t *testing.T, dir string) {
			write(t, dir, "a.txt")
			require.NoError(t, os.Rename(filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.bin")))
		}},
		{"CHMOD", 16, func(t *testing.T, dir string) {
			write(t, dir, "a.txt")
			require.NoError(t, os.Chmod(filepath.Join(dir, "a.txt"), 0o644))
		}},
	} {
		t.Run(tc.eventType, func(t *testing.T) {
			dir := t.TempDir()
			cfg := &v1alpha1.FileEventSource{
				EventType:       tc.eventType,
				WatchPathConfig: v1alpha1.WatchPathConfig{Directory: dir, Path: "a.txt"},
				Metadata:        map[string]string{"team": "a"},
			}
			opt, ready := readySignal()
			src, err := New(testEnv(), testSpec("files", cfg), opt)
			require.NoError(t, err)
			rec := &sourcetest.Recorder{}
			sourcetest.Background(t, src, rec.Emit)
			waitReady(t, ready)
			tc.change(t, dir)
			require.Eventually(t, func() bool { return len(rec.Events()) > 0 }, 10*time.Second, 10*time.Millisecond)
			want := fmt.Sprintf(`{"name":%q,"op":%d,"metadata":{"team":"a"}}`, filepath.Join(dir, "a.txt"), tc.op)
			require.JSONEq(t, want, string(rec.Events()[0].Data))
		})
	}
}

func TestPathMatching(t *testing.T) {
	for name, tc := range map[string]struct {
		path, pathRegexp string
		trailingSlash    bool
		want             []string
	}{
		"exact path":                       {path: "ready.flag", want: []string{"ready.flag"}},
		"exact path, directory with slash": {path: "ready.flag", trailingSlash: true, want: []string{"ready.flag"}},
		"regexp":                           {pathRegexp: `^in-\d+\.csv$`, want: []string{"in-1.csv", "in-22.csv"}},
		"regexp, directory with slash":     {pathRegexp: `^in-\d+\.csv$`, trailingSlash: true, want: []string{"in-1.csv", "in-22.csv"}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o700))
			watched := dir
			if tc.trailingSlash {
				watched += "/"
			}
			cfg := &v1alpha1.FileEventSource{EventType: "CREATE", WatchPathConfig: v1alpha1.WatchPathConfig{Directory: watched, Path: tc.path, PathRegexp: tc.pathRegexp}}
			opt, ready := readySignal()
			src, err := New(testEnv(), testSpec("files", cfg), opt)
			require.NoError(t, err)
			rec := &sourcetest.Recorder{}
			sourcetest.Background(t, src, rec.Emit)
			waitReady(t, ready)
			for _, f := range []string{"other.flag", "in-x.csv", "sub/in-3.csv", "in-1.csv", "ready.flag", "in-22.csv"} {
				write(t, dir, f)
			}
			write(t, dir, "last") // a change seen after all others
			require.Eventually(t, func() bool { return len(rec.Events()) >= len(tc.want) }, 10*time.Second, 10*time.Millisecond)
			var got []string
			for _, ev := range rec.Events() {
				var name string
				_, err := fmt.Sscanf(string(ev.Data), `{"name":%q`, &name)
				require.NoError(t, err)
				got = append(got, filepath.Base(name))
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestBusDownKeepsTheChangeUntilPublished(t *testing.T) {
	dir := t.TempDir()
	cfg := &v1alpha1.FileEventSource{EventType: "CREATE", WatchPathConfig: v1alpha1.WatchPathConfig{Directory: dir, PathRegexp: ".*"}}
	opt, ready := readySignal()
	src, err := New(testEnv(), testSpec("files", cfg), opt)
	require.NoError(t, err)
	rec := &sourcetest.Recorder{}
	rec.SetErr(fmt.Errorf("publishing: %w", eventbus.ErrUnavailable))
	sourcetest.Background(t, src, rec.Emit)
	waitReady(t, ready)
	write(t, dir, "1")
	write(t, dir, "2")
	require.Eventually(t, func() bool { return rec.Attempts() >= 3 }, 10*time.Second, 10*time.Millisecond, "the source retries")
	rec.SetErr(nil)
	require.Eventually(t, func() bool { return len(rec.Events()) == 2 }, 10*time.Second, 10*time.Millisecond)
	require.Contains(t, string(rec.Events()[0].Data), `1"`, "in order")
}

func TestMissingDirectoryIsAnError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not-yet")
	cfg := &v1alpha1.FileEventSource{EventType: "CREATE", WatchPathConfig: v1alpha1.WatchPathConfig{Directory: dir, Path: "x"}}
	src, err := New(testEnv(), testSpec("files", cfg))
	require.NoError(t, err)
	require.ErrorContains(t, src.Start(t.Context(), (&sourcetest.Recorder{}).Emit), "watching "+dir)
}

func TestBadConfigIsRefused(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg  v1alpha1.FileEventSource
		want string
	}{
		"polling":        {cfg: v1alpha1.FileEventSource{EventType: "CREATE", Polling: true, WatchPathConfig: v1alpha1.WatchPathConfig{Directory: "/d", Path: "x"}}, want: "polling is not supported"},
		"bad event type": {cfg: v1alpha1.FileEventSource{EventType: "create", WatchPathConfig: v1alpha1.WatchPathConfig{Directory: "/d", Path: "x"}}, want: `eventType "create" is not one of`},
		"no directory":   {cfg: v1alpha1.FileEventSource{EventType: "CREATE", WatchPathConfig: v1alpha1.WatchPathConfig{Path: "x"}}, want: "directory is not set"},
		"no path":        {cfg: v1alpha1.FileEventSource{EventType: "CREATE", WatchPathConfig: v1alpha1.WatchPathConfig{Directory: "/d"}}, want: "needs path or pathRegexp"},
		"bad regexp":     {cfg: v1alpha1.FileEventSource{EventType: "CREATE", WatchPathConfig: v1alpha1.WatchPathConfig{Directory: "/d", PathRegexp: "("}}, want: "compiling watchPathConfig.pathRegexp"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(testEnv(), testSpec("files", &tc.cfg))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// write creates (or truncates) the file name under dir.
func write(t *testing.T, dir, name string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600))
}
