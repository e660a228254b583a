package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// Ceiling is what the machine allows without a SUT, from `bench ceiling`.
type Ceiling struct {
	CPUs         int    `json:"cpus"`
	LoadAvgStart string `json:"loadavg_start"`
	LoadAvgEnd   string `json:"loadavg_end"`

	NATSServer     string  `json:"nats_server,omitempty"`
	NATSTLS        bool    `json:"nats_tls"`
	NATSMessages   int     `json:"nats_messages,omitempty"`
	NATSPublishPS  float64 `json:"nats_publish_msgs_per_s,omitempty"`
	NATSConsumePS  float64 `json:"nats_consume_msgs_per_s,omitempty"`
	NATSEndToEndPS float64 `json:"nats_e2e_msgs_per_s,omitempty"`
	K8sServer      string  `json:"k8s_server,omitempty"`
	K8sCreates     int     `json:"k8s_creates,omitempty"`
	K8sConcurrency int     `json:"k8s_concurrency,omitempty"`
	K8sCreatesPerS float64 `json:"k8s_creates_per_s,omitempty"`
	K8sCallP50ms   float64 `json:"k8s_call_p50_ms,omitempty"`
	Result         string  `json:"result"`
}

type ceilingFile struct {
	Machine struct {
		CPUs         int    `json:"cpus"`
		LoadAvgStart string `json:"loadavg_start"`
		LoadAvgEnd   string `json:"loadavg_end"`
	} `json:"machine"`
	NATS *struct {
		Server    string  `json:"server_version"`
		TLS       bool    `json:"tls"`
		N         int     `json:"n"`
		Publish   float64 `json:"publish_msgs_per_s"`
		Consume   float64 `json:"consume_msgs_per_s"`
		EndToEnd  float64 `json:"e2e_msgs_per_s"`
		Published float64 `json:"e2e_publish_msgs_per_s"`
	} `json:"nats"`
	K8s *struct {
		Server      string  `json:"server_version"`
		M           int     `json:"m"`
		Concurrency int     `json:"concurrency"`
		Rate        float64 `json:"creates_per_s"`
		Latency     latency `json:"latency_create_call"`
	} `json:"k8s"`
}

func readCeiling(path string) (*Ceiling, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the ceiling result: %w", err)
	}
	var f ceilingFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("decoding the ceiling result %s: %w", path, err)
	}
	c := &Ceiling{CPUs: f.Machine.CPUs, LoadAvgStart: f.Machine.LoadAvgStart, LoadAvgEnd: f.Machine.LoadAvgEnd, Result: path}
	if n := f.NATS; n != nil {
		c.NATSServer, c.NATSTLS, c.NATSMessages = n.Server, n.TLS, n.N
		c.NATSPublishPS, c.NATSConsumePS, c.NATSEndToEndPS = n.Publish, n.Consume, n.EndToEnd
	}
	if k := f.K8s; k != nil {
		c.K8sServer, c.K8sCreates, c.K8sConcurrency = k.Server, k.M, k.Concurrency
		c.K8sCreatesPerS, c.K8sCallP50ms = k.Rate, k.Latency.P50
	}
	return c, nil
}

// fraction sets row's share of the ceiling that bounds its scenario: the
// JetStream publish+consume rate for the webhook scenarios run as fast as
// they go, the Ingress-create rate for scenario B's bursts. Paced runs
// measure latency at a set rate and get none.
func (c *Ceiling) fraction(row *Row) {
	if c == nil || row.Status != statusOK {
		return
	}
	switch row.Scenario {
	case "A1", "A3":
		if c.NATSEndToEndPS > 0 {
			row.CeilingName, row.OfCeiling = "JetStream publish+consume", row.Throughput/c.NATSEndToEndPS
		}
	case "B-burst", "B-create":
		if c.K8sCreatesPerS > 0 {
			row.CeilingName, row.OfCeiling = "Ingress creates", row.Throughput/c.K8sCreatesPerS
		}
	}
}
