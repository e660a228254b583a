package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/manifest"
)

// result is what one in-process run of the command line produced.
type result struct {
	code           int
	stdout, stderr string
}

// runHerald runs the command line with args in-process.
func runHerald(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// The diagnostics the lint fixtures produce, as lint prints them.
const (
	noteConfigMap    = "testdata/clean.yaml:25: note: skipping ConfigMap (not an argoproj.io/v1alpha1 EventSource, Sensor or EventBus)\n"
	errCrate         = `testdata/errors.yaml:14: spec.triggers[0].template.k8s.operation: unknown operation "crate" (want create, update, patch, delete, apply)` + "\n"
	errSQS           = "testdata/unsupported.yaml:6: spec.sqs: unsupported: event source kind sqs\n"
	atLeastOnceField = `spec.triggers[0].template.atLeastOnce: unknown field "atLeastOnce", did you mean spec.triggers[0].atLeastOnce or spec.triggers[0].dlqTrigger.atLeastOnce?` + "\n"
	warnAtLeastOnce  = "testdata/warnings.yaml:13: warning: " + atLeastOnceField
)

func TestLintText(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
	}{
		{
			name:   "clean",
			args:   []string{"lint", "testdata/clean.yaml"},
			stdout: noteConfigMap + "1 files (2 objects): 1 clean, 0 with warnings, 0 unsupported, 0 invalid (0 errors)\n",
		},
		{
			name:   "warnings only",
			args:   []string{"lint", "testdata/warnings.yaml"},
			stdout: warnAtLeastOnce + "1 files (1 objects): 0 clean, 1 with warnings, 0 unsupported, 0 invalid (0 errors)\n",
		},
		{
			name:   "warnings are errors under strict",
			args:   []string{"lint", "--strict", "testdata/warnings.yaml"},
			code:   1,
			stdout: "testdata/warnings.yaml:13: " + atLeastOnceField + "1 files (0 objects): 0 clean, 0 with warnings, 0 unsupported, 1 invalid (1 errors)\n",
		},
		{
			name:   "errors",
			args:   []string{"lint", "testdata/errors.yaml"},
			code:   1,
			stdout: errCrate + "1 files (1 objects): 0 clean, 0 with warnings, 0 unsupported, 1 invalid (1 errors)\n",
		},
		{
			name:   "unsupported is an error",
			args:   []string{"lint", "testdata/unsupported.yaml"},
			code:   1,
			stdout: errSQS + "1 files (1 objects): 0 clean, 0 with warnings, 1 unsupported, 0 invalid (1 errors)\n",
		},
		{
			name:   "directory",
			args:   []string{"lint", "testdata"},
			code:   1,
			stdout: noteConfigMap + errCrate + errSQS + warnAtLeastOnce + "4 files (5 objects): 1 clean, 1 with warnings, 1 unsupported, 1 invalid (2 errors)\n",
		},
		{
			name:   "quiet hides warnings and notes",
			args:   []string{"lint", "-q", "testdata"},
			code:   1,
			stdout: errCrate + errSQS + "4 files (5 objects): 1 clean, 1 with warnings, 1 unsupported, 1 invalid (2 errors)\n",
		},
		{
			name:   "quiet with only warnings",
			args:   []string{"lint", "--quiet", "testdata/warnings.yaml", "testdata/clean.yaml"},
			stdout: "2 files (3 objects): 1 clean, 1 with warnings, 0 unsupported, 0 invalid (0 errors)\n",
		},
		{
			name:   "missing file",
			args:   []string{"lint", "testdata/absent.yaml"},
			code:   1,
			stdout: "testdata/absent.yaml: reading manifest: no such file or directory\n1 files (0 objects): 0 clean, 0 with warnings, 0 unsupported, 1 invalid (1 errors)\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runHerald(t, c.args...)
			require.Equal(t, c.stdout, r.stdout)
			require.Empty(t, r.stderr)
			require.Equal(t, c.code, r.code)
		})
	}
}

// lintJSON mirrors the JSON report of `herald lint --output json`.
type lintJSON struct {
	Diagnostics []manifest.Diagnostic `json:"diagnostics"`
	Files       []struct {
		File   string `json:"file"`
		Status string `json:"status"`
	} `json:"files"`
	Summary map[string]int `json:"summary"`
}

func TestLintJSON(t *testing.T) {
	r := runHerald(t, "lint", "--output", "json", "testdata")
	require.Equal(t, 1, r.code)
	require.Empty(t, r.stderr)
	var rep lintJSON
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&rep))

	require.Equal(t, map[string]int{
		"files": 4, "objects": 5, "clean": 1, "warnings": 1, "unsupported": 1, "invalid": 1, "errors": 2,
	}, rep.Summary)
	statuses := map[string]string{}
	for _, f := range rep.Files {
		statuses[f.File] = f.Status
	}
	require.Equal(t, map[string]string{
		"testdata/clean.yaml":       "clean",
		"testdata/errors.yaml":      "invalid",
		"testdata/unsupported.yaml": "unsupported",
		"testdata/warnings.yaml":    "warnings",
	}, statuses)
	require.Len(t, rep.Diagnostics, 4)
	crate := rep.Diagnostics[1]
	require.Equal(t, manifest.Diagnostic{
		File: "testdata/errors.yaml", Line: 14, Column: 11,
		Path:     "spec.triggers[0].template.k8s.operation",
		Message:  `unknown operation "crate" (want create, update, patch, delete, apply)`,
		Severity: manifest.Error,
	}, crate)
	require.Equal(t, manifest.Warning, rep.Diagnostics[3].Severity)
}

// TestLintJSONClean: a clean run prints an empty list, not null, and
// exits 0; -q does not change the JSON report.
func TestLintJSONClean(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bus.yaml")
	require.NoError(t, os.WriteFile(path, []byte("apiVersion: argoproj.io/v1alpha1\nkind: EventBus\nmetadata:\n  name: default\nspec:\n  jetstream:\n    version: latest\n"), 0o644))
	r := runHerald(t, "lint", "-o", "json", "-q", path)
	require.Equal(t, 0, r.code)
	require.Contains(t, r.stdout, `"diagnostics": []`)
	var rep lintJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	require.Equal(t, 1, rep.Summary["clean"])
	require.Equal(t, 1, rep.Summary["objects"])
}

// TestLintUsageErrors: wrong command lines exit 2 with a message on stderr
// and nothing on stdout.
func TestLintUsageErrors(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no paths", []string{"lint"}, "herald: requires at least 1 arg(s), only received 0\n"},
		{"unknown flag", []string{"lint", "--bogus", "testdata"}, "herald: unknown flag: --bogus\n"},
		{"unknown output", []string{"lint", "-o", "yaml", "testdata"}, "herald: unknown --output \"yaml\" (want text or json)\n"},
		{"bad size", []string{"lint", "--max-file-size", "big", "testdata"}, `herald: invalid argument "big" for "--max-file-size" flag: strconv.ParseInt: parsing "big": invalid syntax` + "\n"},
		{"unknown command", []string{"lnit"}, "herald: unknown command \"lnit\" for \"herald\"\n\nDid you mean this?\n\tlint\n\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runHerald(t, c.args...)
			require.Equal(t, 2, r.code)
			require.Equal(t, c.stderr, r.stderr)
			require.Empty(t, r.stdout)
		})
	}
}

// TestLintMaxFileSize refuses files over --max-file-size.
func TestLintMaxFileSize(t *testing.T) {
	r := runHerald(t, "lint", "--max-file-size", "100", "testdata/warnings.yaml")
	require.Equal(t, 1, r.code)
	require.True(t, strings.HasPrefix(r.stdout, "testdata/warnings.yaml: file is too large: "), r.stdout)
	require.Contains(t, r.stdout, "the limit is 100\n")
}

func TestHelpLint(t *testing.T) {
	for _, args := range [][]string{{"help", "lint"}, {"lint", "--help"}} {
		r := runHerald(t, args...)
		require.Equal(t, 0, r.code, args)
		require.Empty(t, r.stderr)
		require.Contains(t, r.stdout, "herald lint PATH... [flags]")
		require.Contains(t, r.stdout, "Exit status: 0 when there is no error")
		for _, flag := range []string{"--strict", "--output", "--quiet", "--max-file-size"} {
			require.Contains(t, r.stdout, flag)
		}
	}
}
