// Command report turns the result.json files of one `make bench-e2e` run
// (bench/run.sh) into results.json and results.md: one row per scenario,
// bus and trace setting with throughput, latency, CPU per event and peak RSS,
// the two ceilings of the machine and Herald's share of them, and Argo
// Events' figures from the harness' results/ for reference.
//
//	go run ./bench/report -runs RUN/runs.tsv -ceiling RUN/ceiling/result.json \
//	  -argo ../shared/bench/results -out RUN
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

func main() {
	var o options
	flag.StringVar(&o.runs, "runs", "", "runs.tsv written by bench/run.sh (scenario, bus, traces, out dir, status, note)")
	flag.StringVar(&o.ceiling, "ceiling", "", "result.json of `bench ceiling` (optional)")
	flag.StringVar(&o.argo, "argo", "", "the harness' results/ folder with Argo Events' result files (optional)")
	flag.StringVar(&o.out, "out", "", "folder to write results.json and results.md into")
	flag.StringVar(&o.label, "label", "", "free text shown at the top (machine, commit, ...)")
	flag.StringVar(&o.herald, "herald-version", "", "output of `herald version`")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

type options struct {
	runs, ceiling, argo, out, label, herald string
	now                                     time.Time
}

func run(o options) error {
	if o.runs == "" || o.out == "" {
		return fmt.Errorf("-runs and -out are required")
	}
	if o.now.IsZero() {
		o.now = time.Now()
	}
	rep, err := build(o)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding results.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(o.out, "results.json"), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing results.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(o.out, "results.md"), []byte(rep.markdown()), 0o644); err != nil {
		return fmt.Errorf("writing results.md: %w", err)
	}
	return nil
}

// build reads every input into a Report.
func build(o options) (*Report, error) {
	rep := &Report{GeneratedAt: o.now.UTC().Format(time.RFC3339), Label: o.label, HeraldVersion: o.herald}
	rows, err := readRuns(o.runs)
	if err != nil {
		return nil, err
	}
	if o.ceiling != "" {
		if rep.Ceiling, err = readCeiling(o.ceiling); err != nil {
			return nil, err
		}
	}
	for i := range rows {
		rep.Ceiling.fraction(&rows[i])
	}
	rep.Rows = rows
	if o.argo != "" {
		if rep.Argo, err = readArgo(o.argo); err != nil {
			return nil, err
		}
	}
	return rep, nil
}
