package cli

import (
	"encoding/json"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/version"
)

func TestVersion(t *testing.T) {
	r := runHerald(t, "version")
	require.Equal(t, 0, r.code)
	require.Empty(t, r.stderr)
	require.Equal(t, version.Get().String()+"\n", r.stdout)
	require.Regexp(t, `^herald \S+ (\([0-9a-f]{1,12}\) )?go\S+ \S+/\S+\n$`, r.stdout)
}

func TestVersionJSON(t *testing.T) {
	for _, args := range [][]string{{"version", "-o", "json"}, {"version", "--output=json"}} {
		r := runHerald(t, args...)
		require.Equal(t, 0, r.code, args)
		require.Empty(t, r.stderr)
		var info version.Info
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &info))
		require.Equal(t, version.Get(), info)
		require.NotEmpty(t, info.Version)
		require.Equal(t, runtime.Version(), info.GoVersion)
		require.Equal(t, runtime.GOOS+"/"+runtime.GOARCH, info.Platform)
	}
}

func TestVersionUsageErrors(t *testing.T) {
	for name, c := range map[string]struct {
		args   []string
		stderr string
	}{
		"argument":       {[]string{"version", "extra"}, "herald: unknown command \"extra\" for \"herald version\"\n"},
		"unknown output": {[]string{"version", "-o", "xml"}, "herald: unknown --output \"xml\" (want text or json)\n"},
	} {
		t.Run(name, func(t *testing.T) {
			r := runHerald(t, c.args...)
			require.Equal(t, 2, r.code)
			require.Equal(t, c.stderr, r.stderr)
			require.Empty(t, r.stdout)
		})
	}
}
