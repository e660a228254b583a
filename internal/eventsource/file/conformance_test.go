package file

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

func TestConformance(t *testing.T) {
	for name, cfg := range map[string]*v1alpha1.FileEventSource{
		"create by regexp": {EventType: "CREATE", WatchPathConfig: v1alpha1.WatchPathConfig{PathRegexp: `\.json$`}, Metadata: map[string]string{"k": "v"}},
		"write by path":    {EventType: "WRITE", WatchPathConfig: v1alpha1.WatchPathConfig{Path: "config.yaml"}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cfg.WatchPathConfig.Directory = dir + "/"
			spec := testSpec("example", cfg)
			n := 0
			sourcetest.Run(t, sourcetest.Harness{
				Kind:    KindName,
				Spec:    spec,
				Retries: true,
				New: func(t *testing.T) (eventsource.Source, sourcetest.Trigger) {
					opt, ready := readySignal()
					src, err := New(testEnv(), spec, opt)
					require.NoError(t, err)
					return src, func(t *testing.T) error {
						waitReady(t, ready)
						n++
						if cfg.EventType == "CREATE" {
							return os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.json", n)), []byte("{}"), 0o600)
						}
						f, err := os.OpenFile(filepath.Join(dir, "config.yaml"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
						require.NoError(t, err)
						_, err = fmt.Fprintf(f, "n: %d\n", n)
						require.NoError(t, err)
						return f.Close()
					}
				},
			})
		})
	}
}

func TestKindRegistered(t *testing.T) {
	k, ok := eventsource.Default.Lookup(KindName)
	require.True(t, ok)
	require.NotEmpty(t, k.Doc)
	es := testSpec("x", nil).EventSource
	require.Nil(t, k.Configs(&es.Spec))
	es.Spec.File = map[string]v1alpha1.FileEventSource{"one": {EventType: "CREATE"}, "two": {EventType: "WRITE"}}
	configs := k.Configs(&es.Spec)
	require.Len(t, configs, 2)
	require.Equal(t, "WRITE", configs["two"].(*v1alpha1.FileEventSource).EventType)
}
