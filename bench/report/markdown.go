package main

import (
	"fmt"
	"strings"
)

// scenarioText says what each scenario is, for the Markdown.
var scenarioText = map[string]string{
	"A1":       "webhook → bus → HTTP trigger, as fast as possible",
	"A2":       "webhook → bus → HTTP trigger, fixed rate",
	"A3":       "webhook → bus → log trigger, as fast as possible",
	"B-burst":  "Service → jq → Ingress (operation update), burst",
	"B-paced":  "Service → jq → Ingress (operation update), paced",
	"B-create": "Service → jq → Ingress (operation create), burst",
}

const tableHead = "| scenario | bus | traces | params | ok / sent | lost | dup | throughput /s | of ceiling | p50 ms | p95 ms | p99 ms | SUT CPU ms/event | + NATS CPU ms/event | SUT peak RSS MiB |\n" +
	"| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"

func (r *Report) markdown() string {
	var b strings.Builder
	b.WriteString("# Herald on the shared end-to-end harness\n\n")
	fmt.Fprintf(&b, "Generated %s", r.GeneratedAt)
	if r.HeraldVersion != "" {
		fmt.Fprintf(&b, " · %s", r.HeraldVersion)
	}
	if r.Label != "" {
		fmt.Fprintf(&b, " · %s", r.Label)
	}
	b.WriteString(".\n\n")
	r.ceilingMarkdown(&b)

	b.WriteString("## Herald\n\n")
	b.WriteString(tableHead)
	for _, row := range r.Rows {
		b.WriteString(row.markdown())
	}
	b.WriteString("\n")
	if len(r.Argo) > 0 {
		b.WriteString("## Argo Events v1.9.11 (the harness' results/, same columns)\n\n")
		b.WriteString(tableHead)
		for _, row := range r.Argo {
			b.WriteString(row.markdown())
		}
		b.WriteString("\n")
	}
	b.WriteString("## Reading the table\n\n")
	for _, s := range []string{"A1", "A2", "A3", "B-burst", "B-paced", "B-create"} {
		fmt.Fprintf(&b, "- **%s**: %s.\n", s, scenarioText[s])
	}
	b.WriteString("- ok / sent: events that reached the sink (A) or Ingresses seen for the Services created (B); " +
		"lost: acknowledged but never arrived (A), missing or wrong Ingresses (B); dup: duplicates (A), extra Ingress writes (B).\n")
	b.WriteString("- throughput: arrivals / (first send → last arrival) in A, Ingresses / (first create → last Ingress) in B. " +
		"Latency: send → sink arrival (A; A3 from a 5 ms log poll, indicative only), create call → Ingress ADDED (B).\n")
	b.WriteString("- SUT CPU ms/event and peak RSS: Herald's one process (Argo: eventsource + sensor) inside the measurement window. " +
		"With the embedded bus JetStream runs inside Herald and is included; with an external bus " +
		"(Herald's `--bus-url`, and Argo) the nats-server's CPU is the next column, so SUT + NATS compares like with like.\n")
	b.WriteString("- of ceiling: throughput / the ceiling that bounds the scenario (A1, A3: JetStream publish+consume end to end; " +
		"B bursts: Ingress creates with the same 4 parallel calls). Paced runs (A2, B-paced) measure latency at a set rate.\n")
	return b.String()
}

func (r *Report) ceilingMarkdown(b *strings.Builder) {
	c := r.Ceiling
	if c == nil {
		b.WriteString("No ceiling measured in this run (CEILINGS=0).\n\n")
		return
	}
	b.WriteString("## Ceilings (`bench ceiling`, no SUT running)\n\n")
	fmt.Fprintf(b, "%d CPUs, load average %s at the start, %s at the end.\n\n", c.CPUs, c.LoadAvgStart, c.LoadAvgEnd)
	b.WriteString("| ceiling | rate |\n| --- | --- |\n")
	if c.NATSServer != "" {
		tls := "plain TCP"
		if c.NATSTLS {
			tls = "TLS"
		}
		what := fmt.Sprintf("nats.go, nats-server %s, %s, file store, %d × 200 B", c.NATSServer, tls, c.NATSMessages)
		fmt.Fprintf(b, "| JetStream async publish (%s) | %.0f msg/s |\n", what, c.NATSPublishPS)
		fmt.Fprintf(b, "| JetStream pull consume + ack | %.0f msg/s |\n", c.NATSConsumePS)
		fmt.Fprintf(b, "| JetStream publish + consume at once, end to end | %.0f msg/s |\n", c.NATSEndToEndPS)
	}
	if c.K8sServer != "" {
		fmt.Fprintf(b, "| Ingress creates (client-go, no client-side limit, kube-apiserver %s, %d × %d parallel) | %.0f /s (call p50 %.1f ms) |\n",
			c.K8sServer, c.K8sCreates, c.K8sConcurrency, c.K8sCreatesPerS, c.K8sCallP50ms)
	}
	b.WriteString("\n")
}

func (r Row) markdown() string {
	traces := map[string]string{"true": "on", "false": "off", "": "–"}[r.Traces]
	if traces == "" {
		traces = r.Traces
	}
	if r.Status != statusOK {
		note := r.Note
		if note == "" {
			note = "no result.json"
		}
		return fmt.Sprintf("| %s | %s | %s | **%s**: %s | | | | | | | | | | | |\n",
			r.Scenario, r.Bus, traces, r.Status, escape(note))
	}
	of := "–"
	if r.OfCeiling > 0 {
		of = fmt.Sprintf("%.0f %%", 100*r.OfCeiling)
	}
	nats := "–"
	if r.NATSCPUmsPerEvent > 0 {
		nats = fmt.Sprintf("%.3f", r.NATSCPUmsPerEvent)
	}
	params := r.Params
	if r.Note != "" {
		params += " (" + r.Note + ")"
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %d / %d | %d | %d | %s | %s | %s | %s | %s | %.3f | %s | %.1f |\n",
		r.Scenario, r.Bus, traces, escape(params), r.OK, r.Sent, r.Lost, r.Dup, num(r.Throughput), of,
		num(r.P50), num(r.P95), num(r.P99), r.CPUmsPerEvent, nats, r.PeakRSSMiB)
}

// num prints a figure with about three significant digits.
func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func escape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
