package cli

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestControllerUsageErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing-kubeconfig")
	for name, c := range map[string]struct {
		args   []string
		stderr string
	}{
		"argument":   {[]string{"controller", "extra"}, `herald: unknown command "extra" for "herald controller"` + "\n"},
		"selector":   {[]string{"controller", "--selector", "a b"}, "herald: --selector: unable to parse requirement"},
		"size":       {[]string{"controller", "--trace-max-bytes", "lots"}, `herald: --trace-max-bytes: size "lots": want bytes, e.g. 256MiB or 1GB` + "\n"},
		"no cluster": {[]string{"controller", "--kubeconfig", missing}, "herald: reading kubeconfig " + missing},
	} {
		t.Run(name, func(t *testing.T) {
			r := runHerald(t, c.args...)
			require.Equal(t, 2, r.code)
			require.Empty(t, r.stdout)
			require.Contains(t, r.stderr, c.stderr)
		})
	}
}
