package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Sensor waits for events from EventSources on an EventBus, checks them against
// its dependencies and runs its triggers when their conditions hold.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=sn
// +kubebuilder:printcolumn:name="Running",type=string,JSONPath=`.status.conditions[?(@.type=="Running")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Running")].reason`
// +kubebuilder:printcolumn:name="Received",type=integer,JSONPath=`.status.counts.eventsReceived`
// +kubebuilder:printcolumn:name="Triggered",type=integer,JSONPath=`.status.counts.triggersSucceeded`
// +kubebuilder:printcolumn:name="Failed",type=integer,JSONPath=`.status.counts.triggersFailed`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Sensor struct {
	// TypeMeta holds apiVersion and kind.
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	metav1.ObjectMeta `json:"metadata"`
	// Spec is the desired state of the sensor.
	Spec SensorSpec `json:"spec"`
	// Status is the observed state of the sensor.
	// +optional
	Status SensorStatus `json:"status,omitempty,omitzero"`
}

// SensorList is a list of Sensors.
//
// +kubebuilder:object:root=true
type SensorList struct {
	// TypeMeta holds apiVersion and kind.
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	metav1.ListMeta `json:"metadata"`
	// Items are the sensors.
	Items []Sensor `json:"items"`
}

// SensorSpec is the desired state of a Sensor.
type SensorSpec struct {
	// Dependencies are the events the sensor waits for.
	// +optional
	Dependencies []EventDependency `json:"dependencies"`
	// Triggers are the actions the sensor runs.
	// +optional
	Triggers []Trigger `json:"triggers"`
	// Template customises the sensor pod.
	// +optional
	Template *Template `json:"template,omitempty"`
	// ErrorOnFailedRound, when true, puts the sensor in an error state after a
	// failed trigger round; it then runs no more triggers.
	// +optional
	ErrorOnFailedRound bool `json:"errorOnFailedRound,omitempty"`
	// EventBusName is the EventBus to read events from. Defaults to "default".
	// +optional
	EventBusName string `json:"eventBusName,omitempty"`
	// Replicas is the number of sensor pods. Defaults to 1.
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`
	// RevisionHistoryLimit is how many old Deployment revisions to keep.
	// +optional
	RevisionHistoryLimit *int32 `json:"revisionHistoryLimit,omitempty"`
	// LoggingFields are extra key-value pairs added to every log line.
	// (Argo's tag has no omitempty; Herald adds it so that an absent map is not
	// written back as null.)
	// +optional
	LoggingFields map[string]string `json:"loggingFields,omitempty"`
}

// GetReplicas returns the number of sensor pods to run: Replicas, at least 1.
func (s SensorSpec) GetReplicas() int32 {
	if s.Replicas == nil || *s.Replicas < 1 {
		return 1
	}
	return *s.Replicas
}

// SensorStatus is the observed state of a Sensor.
type SensorStatus struct {
	// Status holds the conditions.
	Status `json:",inline"`
	// Counts are Herald's: what the Sensor did since it last started on its
	// replica (not in Argo Events).
	// +optional
	Counts *SensorCounts `json:"counts,omitempty"`
}

// SensorCounts are the totals of a Sensor's events and triggers, as the
// herald_sensor_* metrics count them.
type SensorCounts struct {
	// EventsReceived counts the events delivered to the Sensor.
	EventsReceived int64 `json:"eventsReceived"`
	// EventsFiltered counts the events its dependencies' filters rejected.
	EventsFiltered int64 `json:"eventsFiltered"`
	// FilterErrors counts the events whose filter or transform failed.
	FilterErrors int64 `json:"filterErrors"`
	// TriggersSucceeded counts successful trigger firings.
	TriggersSucceeded int64 `json:"triggersSucceeded"`
	// TriggersFailed counts failed firings (each attempt that failed).
	TriggersFailed int64 `json:"triggersFailed"`
	// EventsDeadLettered counts the events given to a dlqTrigger or dropped
	// after the retries ran out.
	EventsDeadLettered int64 `json:"eventsDeadLettered"`
}

// Condition types of a Sensor.
const (
	// SensorConditionDepencencyProvided is true when the sensor has valid
	// dependencies. (The misspelling is Argo's.)
	SensorConditionDepencencyProvided ConditionType = "DependenciesProvided"
	// SensorConditionTriggersProvided is true when the sensor has valid triggers.
	SensorConditionTriggersProvided ConditionType = "TriggersProvided"
	// SensorConditionDeployed is true when the sensor's workload is running.
	SensorConditionDeployed ConditionType = "Deployed"
)

// InitConditions sets every Sensor condition to Unknown.
func (s *SensorStatus) InitConditions() {
	s.InitializeConditions(SensorConditionDepencencyProvided, SensorConditionTriggersProvided, SensorConditionDeployed)
}

// MarkDependenciesProvided records that the dependencies are valid.
func (s *SensorStatus) MarkDependenciesProvided() {
	s.MarkTrue(SensorConditionDepencencyProvided)
}

// MarkDependenciesNotProvided records that the dependencies are invalid.
func (s *SensorStatus) MarkDependenciesNotProvided(reason, message string) {
	s.MarkFalse(SensorConditionDepencencyProvided, reason, message)
}

// MarkTriggersProvided records that the triggers are valid.
func (s *SensorStatus) MarkTriggersProvided() {
	s.MarkTrue(SensorConditionTriggersProvided)
}

// MarkTriggersNotProvided records that the triggers are invalid.
func (s *SensorStatus) MarkTriggersNotProvided(reason, message string) {
	s.MarkFalse(SensorConditionTriggersProvided, reason, message)
}

// MarkDeployed records that the sensor's workload is running.
func (s *SensorStatus) MarkDeployed() {
	s.MarkTrue(SensorConditionDeployed)
}

// MarkDeployFailed records that the sensor's workload could not be deployed.
func (s *SensorStatus) MarkDeployFailed(reason, message string) {
	s.MarkFalse(SensorConditionDeployed, reason, message)
}
