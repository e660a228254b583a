package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herald-dev/herald/internal/manifest"
	"github.com/herald-dev/herald/internal/sensortest"
	"github.com/herald-dev/herald/internal/trigger"
)

type testOptions struct {
	server      bool
	kubeconfig  string
	kubeContext string
	output      string
}

func newTestCommand() *cobra.Command {
	var o testOptions
	cmd := &cobra.Command{
		Use:   "test PATH...",
		Short: "Run SensorTest files: events in, expected trigger output checked",
		Long: `Test runs SensorTest files (kind SensorTest, apiVersion herald.dev/v1alpha1): each
case gives events to a Sensor, as "herald dry-run" does, and checks what its
triggers would send — whether they fire, the operation, the object (a subset or
exactly), HTTP headers, errors — and which dependencies reject an event. Nothing
is fired and no cluster is needed; --server also has the API server dry-run
(dryRun=All) every k8s operation and fails a case the server refuses.

A directory stands for the *.test.yaml and *.test.yml files under it. Test files
are decoded strictly: an unknown field is an error with its line.

Exit status: 0 when every case passes, 1 when a case fails or a test file is
invalid.`,
		Example: `  herald test examples/auto-ingress/ingress-sn.test.yaml
  herald test tests/ -o json | jq '.summary'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTest(cmd.Context(), cmd.OutOrStdout(), args, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.server, "server", false, "dry-run the k8s operations on the API server (dryRun=All)")
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file for --server (default: $KUBECONFIG, ~/.kube/config, in-cluster)")
	f.StringVar(&o.kubeContext, "context", "", "kubeconfig context for --server")
	f.StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	return cmd
}

// testSummary counts the outcome of a test run.
type testSummary struct {
	Files  int `json:"files"`
	Cases  int `json:"cases"`
	Passed int `json:"passed"`
	Failed int `json:"failed"`
	// Errors counts the problems of test files and the tests that could
	// not run.
	Errors int `json:"errors"`
}

// testReport is the JSON output of herald test.
type testReport struct {
	Diagnostics manifest.Diagnostics `json:"diagnostics"`
	Tests       []sensortest.Result  `json:"tests"`
	Summary     testSummary          `json:"summary"`
}

func runTest(ctx context.Context, w io.Writer, paths []string, o testOptions) error {
	if o.output != "text" && o.output != "json" {
		return fmt.Errorf("unknown --output %q (want text or json)", o.output)
	}
	files, err := testFiles(paths)
	if err != nil {
		return err
	}
	env, err := renderEnv(o.server, o.kubeconfig, o.kubeContext)
	if err != nil {
		return err
	}
	rep := testReport{Diagnostics: manifest.Diagnostics{}, Tests: []sensortest.Result{}}
	rep.Summary.Files = len(files)
	for _, path := range files {
		tests, diags, err := sensortest.LoadFile(path)
		if err != nil {
			return err
		}
		rep.Diagnostics = append(rep.Diagnostics, diags...)
		rep.Summary.Errors += len(diags.Errors())
		if diags.HasErrors() {
			continue
		}
		for _, t := range tests {
			res := sensortest.Run(ctx, path, t, sensortest.Options{Registry: trigger.Default, Env: env, Server: o.server})
			if res.Error != "" {
				rep.Summary.Errors++
			}
			for _, c := range res.Cases {
				rep.Summary.Cases++
				if c.Passed {
					rep.Summary.Passed++
				} else {
					rep.Summary.Failed++
				}
			}
			rep.Tests = append(rep.Tests, res)
		}
	}
	if o.output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
	} else {
		writeTestReport(w, rep)
	}
	if rep.Summary.Failed > 0 || rep.Summary.Errors > 0 {
		return exitError{code: 1}
	}
	return nil
}

// testFiles expands directories into the test files under them.
func testFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("reading test files: %w", err)
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".test.yaml") || strings.HasSuffix(path, ".test.yml")) {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading test files: %w", err)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no test files (*.test.yaml) in %s", strings.Join(paths, ", "))
	}
	return out, nil
}

func writeTestReport(w io.Writer, rep testReport) {
	for _, d := range rep.Diagnostics {
		fmt.Fprintln(w, d.String())
	}
	for _, t := range rep.Tests {
		name := t.File
		if t.Test != "" {
			name += " (" + t.Test + ")"
		}
		if t.Error != "" {
			fmt.Fprintf(w, "%s: ERROR %s\n", name, t.Error)
			continue
		}
		fmt.Fprintf(w, "%s: Sensor %s\n", name, t.Sensor)
		for _, c := range t.Cases {
			if c.Passed {
				fmt.Fprintf(w, "  ok    %s\n", c.Name)
				continue
			}
			fmt.Fprintf(w, "  FAIL  %s\n", c.Name)
			for _, f := range c.Failures {
				about := ""
				switch {
				case f.Trigger != "":
					about = "trigger " + f.Trigger + ": "
				case f.Dependency != "":
					about = "dependency " + f.Dependency + ": "
				}
				fmt.Fprintf(w, "        %s%s\n", about, f.Message)
				for _, d := range f.Differences {
					fmt.Fprintf(w, "          %s\n", d.String())
				}
			}
		}
	}
	s := rep.Summary
	fmt.Fprintf(w, "%d cases: %d passed, %d failed", s.Cases, s.Passed, s.Failed)
	if s.Errors > 0 {
		fmt.Fprintf(w, " (%d errors)", s.Errors)
	}
	fmt.Fprintln(w)
}
