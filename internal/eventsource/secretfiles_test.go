package eventsource

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

func TestFileSecrets(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, val string) {
		p := filepath.Join(dir, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte(val), 0o600))
	}
	write("token/value", "plain")
	write("prod/token/value", "namespaced")
	read := FileSecrets(dir)
	sel := func(name, key string) *corev1.SecretKeySelector {
		return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
	}
	for _, tc := range []struct {
		name, namespace, secret, key, want, err string
	}{
		{"plain", "default", "token", "value", "plain", ""},
		{"namespaced wins", "prod", "token", "value", "namespaced", ""},
		{"missing", "default", "token", "other", "", "no file token/other in"},
		{"escape", "default", "..", "value", "", "not a plain name"},
		{"slash", "default", "a/b", "value", "", "not a plain name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := read(t.Context(), tc.namespace, sel(tc.secret, tc.key))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, string(v))
		})
	}
}
