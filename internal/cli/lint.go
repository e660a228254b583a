package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/bundle"
	"github.com/herald-dev/herald/internal/manifest"
)

type lintOptions struct {
	strict      bool
	output      string
	maxFileSize int64
	quiet       bool
}

func newLintCommand() *cobra.Command {
	var o lintOptions
	cmd := &cobra.Command{
		Use:   "lint PATH...",
		Short: "Check EventSource, Sensor and EventBus manifests",
		Long: `Lint loads manifests from files and directories (multi-document YAML, .yaml,
.yml and .json), decodes them strictly and validates every object: jq programs,
Lua scripts, templates, regexes, cron specs, conditions and references are
checked as Herald will use them. Every problem is printed with its file, line
and field path. Unknown fields are warnings (Argo Events ignores them), errors
under --strict. Features this build does not run yet are "unsupported:" errors.

Exit status: 0 when there is no error (warnings allowed), 1 when there is.`,
		Example: `  herald lint examples/
  herald lint --strict sensor.yaml eventsource.yaml
  herald lint --output json manifests/ | jq '.summary'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLint(cmd.OutOrStdout(), args, o)
		},
	}
	cmd.Flags().BoolVar(&o.strict, "strict", false, "treat unknown fields as errors")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().Int64Var(&o.maxFileSize, "max-file-size", manifest.DefaultMaxFileSize, "largest manifest file read, in bytes")
	cmd.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "print errors and the summary only (no warnings or notes)")
	return cmd
}

// lintSummary counts files and objects by outcome.
type lintSummary struct {
	Files       int `json:"files"`
	Objects     int `json:"objects"`
	Clean       int `json:"clean"`
	Warnings    int `json:"warnings"`
	Unsupported int `json:"unsupported"`
	Invalid     int `json:"invalid"`
	Errors      int `json:"errors"`
}

type lintFile struct {
	File   string        `json:"file"`
	Status bundle.Status `json:"status"`
}

type lintReport struct {
	Diagnostics manifest.Diagnostics `json:"diagnostics"`
	Files       []lintFile           `json:"files"`
	Summary     lintSummary          `json:"summary"`
}

func runLint(w io.Writer, paths []string, o lintOptions) error {
	if o.output != "text" && o.output != "json" {
		return fmt.Errorf("unknown --output %q (want text or json)", o.output)
	}
	b, diags, err := bundle.Load(paths, bundle.Options{Strict: o.strict, MaxFileSize: o.maxFileSize})
	if err != nil {
		return err
	}
	rep := lintReport{Diagnostics: diags, Files: fileStatuses(b, diags)}
	if rep.Diagnostics == nil {
		rep.Diagnostics = manifest.Diagnostics{}
	}
	rep.Summary = summarize(b, rep.Files, diags)
	switch o.output {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
	default:
		for _, d := range diags {
			if o.quiet && d.Severity != manifest.Error {
				continue
			}
			fmt.Fprintln(w, d.String())
		}
		s := rep.Summary
		fmt.Fprintf(w, "%d files (%d objects): %d clean, %d with warnings, %d unsupported, %d invalid (%d errors)\n",
			s.Files, s.Objects, s.Clean, s.Warnings, s.Unsupported, s.Invalid, s.Errors)
	}
	if diags.HasErrors() {
		return exitError{code: 1}
	}
	return nil
}

// fileStatuses gives each file the worst status of its documents and problems.
func fileStatuses(b *bundle.Bundle, diags manifest.Diagnostics) []lintFile {
	rank := map[bundle.Status]int{bundle.Clean: 0, bundle.Warned: 1, bundle.Unsupported: 2, bundle.Invalid: 3}
	worst := map[string]bundle.Status{}
	raise := func(file string, s bundle.Status) {
		if cur, ok := worst[file]; !ok || rank[s] > rank[cur] {
			worst[file] = s
		}
	}
	for _, o := range b.Objects {
		raise(o.File, o.Status)
	}
	for _, d := range diags {
		switch {
		case d.Severity == manifest.Error && strings.HasPrefix(d.Message, validation.UnsupportedPrefix):
			raise(d.File, bundle.Unsupported)
		case d.Severity == manifest.Error:
			raise(d.File, bundle.Invalid)
		case d.Severity == manifest.Warning:
			raise(d.File, bundle.Warned)
		default:
			raise(d.File, bundle.Clean)
		}
	}
	files := make([]lintFile, 0, len(worst))
	for f, s := range worst {
		files = append(files, lintFile{File: f, Status: s})
	}
	slices.SortFunc(files, func(a, b lintFile) int { return strings.Compare(a.File, b.File) })
	return files
}

func summarize(b *bundle.Bundle, files []lintFile, diags manifest.Diagnostics) lintSummary {
	s := lintSummary{Files: len(files), Objects: len(b.Objects), Errors: len(diags.Errors())}
	for _, f := range files {
		switch f.Status {
		case bundle.Clean:
			s.Clean++
		case bundle.Warned:
			s.Warnings++
		case bundle.Unsupported:
			s.Unsupported++
		case bundle.Invalid:
			s.Invalid++
		}
	}
	return s
}
