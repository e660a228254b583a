package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Report is results.json.
type Report struct {
	GeneratedAt   string   `json:"generated_at"`
	Label         string   `json:"label,omitempty"`
	HeraldVersion string   `json:"herald_version,omitempty"`
	Ceiling       *Ceiling `json:"ceiling,omitempty"`
	Rows          []Row    `json:"herald"`
	Argo          []Row    `json:"argo_events,omitempty"`
}

// Row is one run of one scenario.
type Row struct {
	Scenario string `json:"scenario"` // A1, A2, A3, B-burst, B-paced, B-create
	Bus      string `json:"bus"`      // embedded, external
	Traces   string `json:"traces,omitempty"`
	Status   string `json:"status"`
	Note     string `json:"note,omitempty"`
	Params   string `json:"params,omitempty"`

	// Sent and OK are events sent and arrived (A), or Services created and
	// Ingresses seen (B); Lost is lost (A) or missing + wrong (B); Dup is
	// duplicates (A) or extra Ingress writes (B).
	Sent int `json:"sent"`
	OK   int `json:"ok"`
	Lost int `json:"lost"`
	Dup  int `json:"dup"`

	Throughput        float64 `json:"throughput_per_s"`
	P50               float64 `json:"p50_ms"`
	P95               float64 `json:"p95_ms"`
	P99               float64 `json:"p99_ms"`
	CPUmsPerEvent     float64 `json:"sut_cpu_ms_per_event"`
	NATSCPUmsPerEvent float64 `json:"nats_cpu_ms_per_event,omitempty"`
	PeakRSSMiB        float64 `json:"sut_peak_rss_mib"`
	CeilingName       string  `json:"ceiling,omitempty"`
	OfCeiling         float64 `json:"of_ceiling,omitempty"`
	Result            string  `json:"result,omitempty"`

	events int // what CPU per event divides by
}

const (
	statusOK     = "ok"
	statusFailed = "failed"
)

// readRuns reads runs.tsv: scenario, bus, traces, out dir, status, note.
func readRuns(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the run list: %w", err)
	}
	defer f.Close()
	var rows []Row
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		col := strings.Split(text, "\t")
		if len(col) < 5 {
			return nil, fmt.Errorf("%s:%d: want 5 or 6 tab-separated columns, got %d", path, line, len(col))
		}
		row := Row{Scenario: col[0], Bus: col[1], Traces: col[2], Status: col[4]}
		if len(col) > 5 {
			row.Note = col[5]
		}
		res := filepath.Join(col[3], "result.json")
		if _, err := os.Stat(res); err != nil {
			row.Status = statusFailed
			rows = append(rows, row)
			continue
		}
		r, err := readResult(res)
		if err != nil {
			return nil, err
		}
		r.fill(&row)
		row.Result = res
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return rows, nil
}

// argoFiles maps the harness' results/ file names to scenario names.
var argoFiles = []struct{ prefix, scenario string }{
	{"A-http-max-", "A1"},
	{"A-http-rate200-", "A2"},
	{"A-log-max-", "A3"},
	{"B-burst-", "B-burst"},
	{"B-paced-", "B-paced"},
	{"B-create-burst-", "B-create"},
}

// readArgo reads Argo Events' result files from the harness' results/.
func readArgo(dir string) ([]Row, error) {
	var rows []Row
	for _, a := range argoFiles {
		files, err := filepath.Glob(filepath.Join(dir, a.prefix+"*.json"))
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", dir, err)
		}
		for _, f := range files {
			r, err := readResult(f)
			if err != nil {
				return nil, err
			}
			run := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), a.prefix), ".json")
			row := Row{Scenario: a.scenario, Bus: "nats-server", Status: statusOK, Note: "run " + run, Result: f}
			r.fill(&row)
			rows = append(rows, row)
		}
	}
	return rows, nil
}
