package validation

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/conf"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// JetStreamSettings is what Herald's embedded bus applies of an EventBus's
// spec.jetstream.settings: the JetStream block of a nats-server
// configuration, which Argo hands to the servers it deploys (its default
// is "max_memory_store: -1" and "max_file_store: 1TB"). Zero fields keep
// the server's defaults.
type JetStreamSettings struct {
	// MaxMemoryStore and MaxFileStore bound the memory and the disk
	// JetStream takes, in bytes (-1: the server's default).
	MaxMemoryStore int64
	MaxFileStore   int64
	// MaxPayload is the largest message, in bytes, from jetstream.maxPayload
	// rather than settings (0: the embedded server's default); see
	// EmbeddedSettings and ParseMaxPayload.
	MaxPayload int32
	// SyncInterval is how often the file store is flushed to the disk;
	// SyncAlways flushes every write before it is acknowledged.
	SyncInterval time.Duration
	SyncAlways   bool
	// Ignored are the keys set that the embedded bus does not apply, sorted.
	Ignored []string
}

// EmbeddedSettings reads what the embedded bus applies of an EventBus's
// jetstream section: its settings and its maxPayload.
func EmbeddedSettings(js *v1alpha1.JetStreamBus) (JetStreamSettings, error) {
	var s JetStreamSettings
	var err error
	if js.Settings != nil {
		if s, err = ParseJetStreamSettings(*js.Settings); err != nil {
			return s, err
		}
	}
	if js.MaxPayload != nil {
		if s.MaxPayload, err = ParseMaxPayload(*js.MaxPayload); err != nil {
			return s, err
		}
	}
	return s, nil
}

// appliedSettings are the keys of JetStreamSettings.
var appliedSettings = []string{"max_memory_store", "max_file_store", "sync_interval"}

// ParseJetStreamSettings reads an EventBus's jetstream settings, in the
// nats-server configuration syntax (sizes such as 1TB or 512M, durations
// such as 2m, sync_interval: always).
func ParseJetStreamSettings(text string) (JetStreamSettings, error) {
	var s JetStreamSettings
	m, err := conf.Parse(text)
	if err != nil {
		return s, fmt.Errorf("reading the event bus settings: %w", err)
	}
	for key, v := range m {
		switch strings.ToLower(key) {
		case "max_memory_store", "max_mem_store", "max_mem":
			if s.MaxMemoryStore, err = settingSize(key, v); err != nil {
				return s, err
			}
		case "max_file_store", "max_file":
			if s.MaxFileStore, err = settingSize(key, v); err != nil {
				return s, err
			}
		case "sync_interval", "sync":
			if s.SyncInterval, s.SyncAlways, err = settingSync(key, v); err != nil {
				return s, err
			}
		default:
			s.Ignored = append(s.Ignored, key)
		}
	}
	slices.Sort(s.Ignored)
	return s, nil
}

// settingSize reads a size: a number of bytes, as the configuration
// syntax turns 1TB or 512M into one.
func settingSize(key string, v any) (int64, error) {
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("reading the event bus settings: %s: %v is not a size (want bytes, or a number with K, M, G or T)", key, v)
	}
	return n, nil
}

// settingSync reads sync_interval: "always" or a positive duration.
func settingSync(key string, v any) (time.Duration, bool, error) {
	s, ok := v.(string)
	if !ok {
		return 0, false, fmt.Errorf("reading the event bus settings: %s: %v is not a duration (want always, or e.g. 10s or 2m)", key, v)
	}
	d, always, ok := ParseSync(s)
	if !ok {
		return 0, false, fmt.Errorf("reading the event bus settings: %s: %q is not a duration (want always, or e.g. 10s or 2m)", key, s)
	}
	return d, always, nil
}

// ParseSync reads how the bus's file store reaches the disk, as
// sync_interval and --bus-sync write it: "always" (any case), or a
// positive duration such as 10s. ok is false for anything else.
func ParseSync(s string) (interval time.Duration, always, ok bool) {
	if strings.EqualFold(s, "always") {
		return 0, true, true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, false, false
	}
	return d, false, true
}

// maxPayloadLimit is the largest max payload a NATS server accepts.
const maxPayloadLimit = 64 << 20

// ParseMaxPayload reads an EventBus's jetstream.maxPayload ("1MB", "8MB",
// or bytes): the largest message the bus's server takes. "0" (no limit in
// Argo's words) is NATS' largest, 64 MiB.
func ParseMaxPayload(s string) (int32, error) {
	n, err := parseBytes(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("reading the event bus maxPayload: %w", err)
	case n < 0 || n > maxPayloadLimit:
		return 0, fmt.Errorf("reading the event bus maxPayload: %q is out of range (want up to 64MB; 0 for that most)", s)
	case n == 0:
		return maxPayloadLimit, nil
	}
	return int32(n), nil
}
