package validation

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	apiresource "k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// StreamConfig is an EventBus's streamConfig as Herald applies it to the
// event stream. Nil and zero fields keep Herald's defaults.
type StreamConfig struct {
	MaxMsgs    *int64
	MaxBytes   *int64
	MaxAge     time.Duration
	Replicas   *int
	Duplicates time.Duration
	// Ignored are the keys set that Herald does not apply, sorted (Argo
	// passes unknown keys over too).
	Ignored []string
}

// errStreamPolicy marks a retention or discard policy Herald's stream
// does not run.
var errStreamPolicy = errors.New("stream policy not supported")

// streamConfigKeys are the keys ParseStreamConfig reads.
var streamConfigKeys = []string{"discard", "duplicates", "maxAge", "maxBytes", "maxMsgs", "replicas", "retention"}

// ParseStreamConfig reads Argo's streamConfig YAML (jetstream and
// jetstreamExotic): maxMsgs, maxAge, maxBytes, replicas, duplicates, and
// retention and discard, which Argo's default configuration sets to 0
// (limits, discard old) — the only policies Herald runs; another value is
// an error (errStreamPolicy). Other keys are listed in Ignored.
func ParseStreamConfig(text string) (StreamConfig, error) {
	var raw struct {
		MaxMsgs    *int64 `json:"maxMsgs"`
		MaxAge     string `json:"maxAge"`
		MaxBytes   any    `json:"maxBytes"`
		Replicas   *int   `json:"replicas"`
		Duplicates string `json:"duplicates"`
		Retention  any    `json:"retention"`
		Discard    any    `json:"discard"`
	}
	var s StreamConfig
	doc, err := yaml.YAMLToJSON([]byte(text))
	if err != nil {
		return s, fmt.Errorf("reading the event bus streamConfig: %w", err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(doc, &all); err != nil {
		return s, fmt.Errorf("reading the event bus streamConfig: %w", err)
	}
	for k := range all {
		if !slices.Contains(streamConfigKeys, k) {
			s.Ignored = append(s.Ignored, k)
		}
	}
	slices.Sort(s.Ignored)
	if err := json.Unmarshal(doc, &raw); err != nil {
		return s, fmt.Errorf("reading the event bus streamConfig: %w", err)
	}
	s.MaxMsgs, s.Replicas = raw.MaxMsgs, raw.Replicas
	if raw.MaxAge != "" {
		if s.MaxAge, err = time.ParseDuration(raw.MaxAge); err != nil {
			return s, fmt.Errorf("reading the event bus streamConfig maxAge: %w", err)
		}
	}
	if raw.Duplicates != "" {
		if s.Duplicates, err = time.ParseDuration(raw.Duplicates); err != nil {
			return s, fmt.Errorf("reading the event bus streamConfig duplicates: %w", err)
		}
	}
	switch v := raw.MaxBytes.(type) {
	case nil:
	case float64:
		n := int64(v)
		s.MaxBytes = &n
	case string:
		n, err := parseBytes(v)
		if err != nil {
			return s, fmt.Errorf("reading the event bus streamConfig maxBytes: %w", err)
		}
		s.MaxBytes = &n
	default:
		return s, fmt.Errorf("reading the event bus streamConfig maxBytes: want a number or a size like 1GB, got %v", v)
	}
	for _, p := range []struct {
		key  string
		val  any
		zero []string // the names of policy 0
		what string
	}{
		{"retention", raw.Retention, []string{"limits", "limitspolicy"}, "limits retention (0)"},
		{"discard", raw.Discard, []string{"old", "discardold"}, "discard old (0)"},
	} {
		switch v := p.val.(type) {
		case nil:
		case float64:
			if v != 0 {
				return s, fmt.Errorf("reading the event bus streamConfig %s: %w: %v; Herald's stream runs %s", p.key, errStreamPolicy, v, p.what)
			}
		case string:
			name := strings.ToLower(strings.TrimSpace(v))
			if name != "0" && !slices.Contains(p.zero, name) {
				return s, fmt.Errorf("reading the event bus streamConfig %s: %w: %q; Herald's stream runs %s", p.key, errStreamPolicy, v, p.what)
			}
		default:
			return s, fmt.Errorf("reading the event bus streamConfig %s: want 0, got %v", p.key, v)
		}
	}
	return s, nil
}

// parseBytes reads sizes as NATS writes them (1GB, 512MB, 64KB, 1MiB: powers
// of 1024, any case) or as Kubernetes quantities (1Gi, 500M).
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{
		{"TIB", 1 << 40},
		{"GIB", 1 << 30},
		{"MIB", 1 << 20},
		{"KIB", 1 << 10},
		{"TB", 1 << 40},
		{"GB", 1 << 30},
		{"MB", 1 << 20},
		{"KB", 1 << 10},
		{"B", 1},
	}
	upper := strings.ToUpper(strings.TrimSpace(s))
	for _, u := range units {
		if num, ok := strings.CutSuffix(upper, u.suffix); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("size %q: %w", s, err)
			}
			return n * u.mult, nil
		}
	}
	q, err := apiresource.ParseQuantity(s)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	return q.Value(), nil
}
