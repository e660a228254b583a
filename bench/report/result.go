package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// harnessResult holds the fields of the harness' result.json (scenario A,
// `bench webhook`, or scenario B, `bench k8s`) that the report uses.
type harnessResult struct {
	Scenario string         `json:"scenario"`
	Params   map[string]any `json:"params"`

	// Scenario A.
	Sent        int     `json:"sent"`
	Arrived     int     `json:"arrived_unique"`
	Lost        int     `json:"lost_acked_not_arrived"`
	Duplicates  int     `json:"duplicates"`
	EventsPerS  float64 `json:"e2e_events_per_s"`
	LatencyA    latency `json:"latency_send_to_arrival"`
	CPUmsPerEvt float64 `json:"sut_cpu_ms_per_event"`

	// Scenario B.
	Created     int     `json:"services_created"`
	Seen        int     `json:"ingresses_seen"`
	Missing     int     `json:"ingresses_missing"`
	Wrong       int     `json:"ingresses_wrong_content"`
	ExtraWrites int     `json:"ingress_extra_writes"`
	UpdatesSeen int     `json:"updates_seen"`
	ServicesPS  float64 `json:"e2e_services_per_s"`
	LatencyB    latency `json:"latency_create_to_ingress"`
	CPUmsPerSvc float64 `json:"sut_cpu_ms_per_service"`

	SUTUsage   []usage `json:"sut_usage"`
	InfraUsage []usage `json:"infra_usage"`
}

type latency struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
}

type usage struct {
	Name       string  `json:"name"`
	CPUSeconds float64 `json:"cpu_seconds"`
	PeakRSSMiB float64 `json:"peak_rss_mib"`
}

func readResult(path string) (*harnessResult, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the harness result: %w", err)
	}
	var r harnessResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decoding the harness result %s: %w", path, err)
	}
	return &r, nil
}

// fill copies the figures of r into row.
func (r *harnessResult) fill(row *Row) {
	if strings.HasPrefix(r.Scenario, "k8s") {
		row.Sent, row.OK = r.Created, r.Seen
		row.Lost, row.Dup = r.Missing+r.Wrong, r.ExtraWrites
		row.Throughput = r.ServicesPS
		row.P50, row.P95, row.P99 = r.LatencyB.P50, r.LatencyB.P95, r.LatencyB.P99
		row.CPUmsPerEvent = r.CPUmsPerSvc
		row.events = r.Seen + r.UpdatesSeen
	} else {
		row.Sent, row.OK = r.Sent, r.Arrived
		row.Lost, row.Dup = r.Lost, r.Duplicates
		row.Throughput = r.EventsPerS
		row.P50, row.P95, row.P99 = r.LatencyA.P50, r.LatencyA.P95, r.LatencyA.P99
		row.CPUmsPerEvent = r.CPUmsPerEvt
		row.events = r.Arrived
	}
	row.Params = paramsText(r.Params)
	// The SUT's own processes; aux-* helpers (Argo's namespace forwarder)
	// are not part of it, as the harness counts them.
	for _, u := range r.SUTUsage {
		if !strings.HasPrefix(u.Name, "aux-") {
			row.PeakRSSMiB += u.PeakRSSMiB
		}
	}
	for _, u := range r.InfraUsage {
		if u.Name == "infra:nats-server" && row.events > 0 {
			row.NATSCPUmsPerEvent = 1000 * u.CPUSeconds / float64(row.events)
		}
	}
}

// paramsText renders the load parameters the way RESULTS-argo.md does.
func paramsText(p map[string]any) string {
	num := func(k string) (float64, bool) {
		v, ok := p[k].(float64)
		return v, ok
	}
	var parts []string
	for _, k := range []string{"n", "m", "concurrency", "rate", "updates"} {
		v, ok := num(k)
		if !ok {
			continue
		}
		name := k
		if k == "concurrency" {
			name = "c"
		}
		if k == "rate" && v == 0 {
			parts = append(parts, "rate max")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s=%g", name, v))
	}
	return strings.Join(parts, " ")
}
