package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/golden"
)

func TestReport(t *testing.T) {
	out := t.TempDir()
	require.NoError(t, run(options{
		runs: "testdata/runs.tsv", ceiling: "testdata/ceiling.json", argo: "testdata/argo", out: out,
		label: "smoke", herald: "herald dev", now: time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC),
	}))
	for _, name := range []string{"results.md", "results.json"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		golden.Check(t, filepath.Join("testdata", name+".golden"), got)
	}
}

func TestReportRows(t *testing.T) {
	rep, err := build(options{runs: "testdata/runs.tsv", ceiling: "testdata/ceiling.json"})
	require.NoError(t, err)
	require.Len(t, rep.Rows, 3)

	a1 := rep.Rows[0]
	require.Equal(t, statusOK, a1.Status)
	require.Equal(t, 300, a1.OK)
	require.Equal(t, "JetStream publish+consume", a1.CeilingName)
	require.InDelta(t, a1.Throughput/rep.Ceiling.NATSEndToEndPS, a1.OfCeiling, 1e-9)

	require.Equal(t, statusFailed, rep.Rows[1].Status, "a failed run has no result.json")
	require.Contains(t, rep.Rows[1].Note, "no warm-up event")

	b := rep.Rows[2]
	require.Equal(t, "Ingress creates", b.CeilingName)
	require.Positive(t, b.NATSCPUmsPerEvent, "an external bus's CPU is reported per event")
}

func TestReportNeedsRunsAndOut(t *testing.T) {
	require.ErrorContains(t, run(options{runs: "testdata/runs.tsv"}), "-runs and -out are required")
}

func TestReportJSONIsValid(t *testing.T) {
	b, err := os.ReadFile("testdata/results.json.golden")
	require.NoError(t, err)
	var rep Report
	require.NoError(t, json.Unmarshal(b, &rep))
	require.NotEmpty(t, rep.Argo)
}
