package v1alpha1

// CalendarEventSource emits events on a time basis. Schedule wins over
// Interval when both are set.
type CalendarEventSource struct {
	// Schedule is a cron expression, e.g. "*/5 * * * *".
	// +optional
	Schedule string `json:"schedule"`
	// Interval is a Go duration between events, e.g. "10s" or "1h".
	// +optional
	Interval string `json:"interval"`
	// ExclusionDates lists date-times on which no event is emitted.
	// +optional
	ExclusionDates []string `json:"exclusionDates,omitempty"`
	// Timezone is the IANA time zone the schedule is read in; UTC when empty.
	// +optional
	Timezone string `json:"timezone,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Persistence stores the last emitted time so that missed ticks can be
	// caught up after a restart.
	// +optional
	Persistence *EventPersistence `json:"persistence,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
}

// EventPersistence configures where a calendar source records its progress
// and whether it replays missed ticks.
type EventPersistence struct {
	// Catchup controls replaying the ticks missed while the source was down.
	// +optional
	Catchup *CatchupConfiguration `json:"catchup,omitempty"`
	// ConfigMap is the ConfigMap the last emitted time is stored in.
	// +optional
	ConfigMap *ConfigMapPersistence `json:"configMap,omitempty"`
}

// IsCatchUpEnabled reports whether missed ticks should be replayed.
func (ep *EventPersistence) IsCatchUpEnabled() bool {
	return ep != nil && ep.Catchup != nil && ep.Catchup.Enabled
}

// CatchupConfiguration controls replaying missed calendar ticks.
type CatchupConfiguration struct {
	// Enabled turns replaying on.
	// +optional
	Enabled bool `json:"enabled,omitempty"`
	// MaxDuration limits how far back ticks are replayed, e.g. "5m".
	// +optional
	MaxDuration string `json:"maxDuration,omitempty"`
}

// ConfigMapPersistence names the ConfigMap that stores calendar progress.
type ConfigMapPersistence struct {
	// Name of the ConfigMap.
	// +optional
	Name string `json:"name,omitempty"`
	// CreateIfNotExist creates the ConfigMap when it is missing.
	// +optional
	CreateIfNotExist bool `json:"createIfNotExist,omitempty"`
}
