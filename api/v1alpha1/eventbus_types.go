package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DefaultEventBusName is the EventBus used when an EventSource or Sensor names none.
const DefaultEventBusName = "default"

// EventBusType names the technology behind an EventBus.
type EventBusType string

// Values of EventBusType.
const (
	// EventBusNATS is a NATS Streaming bus (spec.nats).
	EventBusNATS EventBusType = "nats"
	// EventBusJetStream is a NATS JetStream bus (spec.jetstream or spec.jetstreamExotic).
	EventBusJetStream EventBusType = "jetstream"
	// EventBusKafka is a Kafka bus (spec.kafka).
	EventBusKafka EventBusType = "kafka"
)

// EventBus is the message bus that carries events from EventSources to Sensors
// in a namespace.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=eventbus,shortName=eb
type EventBus struct {
	// TypeMeta holds apiVersion and kind.
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	metav1.ObjectMeta `json:"metadata"`
	// Spec is the desired state of the bus.
	Spec EventBusSpec `json:"spec"`
	// Status is the observed state of the bus.
	// +optional
	Status EventBusStatus `json:"status,omitempty,omitzero"`
}

// EventBusList is a list of EventBuses.
//
// +kubebuilder:object:root=true
type EventBusList struct {
	// TypeMeta holds apiVersion and kind.
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	metav1.ListMeta `json:"metadata"`
	// Items are the event buses.
	Items []EventBus `json:"items"`
}

// EventBusSpec is the desired state of an EventBus. Exactly one field should be set.
type EventBusSpec struct {
	// NATS is a NATS Streaming bus, run by the controller or existing.
	// +optional
	NATS *NATSBus `json:"nats,omitempty"`
	// JetStream is a NATS JetStream bus run by the controller.
	// +optional
	JetStream *JetStreamBus `json:"jetstream,omitempty"`
	// Kafka is an existing Kafka cluster used as the bus.
	// +optional
	Kafka *KafkaBus `json:"kafka,omitempty"`
	// JetStreamExotic is an existing NATS JetStream server used as the bus.
	// +optional
	JetStreamExotic *JetStreamConfig `json:"jetstreamExotic,omitempty"`
}

// EventBusStatus is the observed state of an EventBus.
type EventBusStatus struct {
	// Status holds the conditions.
	Status `json:",inline"`
	// Config is the resolved connection setup clients use to reach the bus.
	// +optional
	Config BusConfig `json:"config,omitempty,omitzero"`
}

// BusConfig is how clients connect to a running bus. One field is set.
type BusConfig struct {
	// NATS is the setup of a NATS Streaming bus.
	// +optional
	NATS *NATSConfig `json:"nats,omitempty"`
	// JetStream is the setup of a JetStream bus.
	// +optional
	JetStream *JetStreamConfig `json:"jetstream,omitempty"`
	// Kafka is the setup of a Kafka bus.
	// +optional
	Kafka *KafkaBus `json:"kafka,omitempty"`
}

// Condition types of an EventBus.
const (
	// EventBusConditionDeployed is true when the bus's workloads and services exist.
	EventBusConditionDeployed ConditionType = "Deployed"
	// EventBusConditionConfigured is true when the bus's client setup is ready.
	EventBusConditionConfigured ConditionType = "Configured"
)

// InitConditions sets every EventBus condition to Unknown.
func (s *EventBusStatus) InitConditions() {
	s.InitializeConditions(EventBusConditionDeployed, EventBusConditionConfigured)
}

// MarkDeployed records that the bus is deployed.
func (s *EventBusStatus) MarkDeployed(reason, message string) {
	s.MarkTrueWithReason(EventBusConditionDeployed, reason, message)
}

// MarkDeploying records that the bus is being deployed.
func (s *EventBusStatus) MarkDeploying(reason, message string) {
	s.MarkUnknown(EventBusConditionDeployed, reason, message)
}

// MarkDeployFailed records that the bus could not be deployed.
func (s *EventBusStatus) MarkDeployFailed(reason, message string) {
	s.MarkFalse(EventBusConditionDeployed, reason, message)
}

// MarkConfigured records that the bus's client setup is ready.
func (s *EventBusStatus) MarkConfigured() {
	s.MarkTrue(EventBusConditionConfigured)
}

// MarkNotConfigured records that the bus's client setup is not ready.
func (s *EventBusStatus) MarkNotConfigured(reason, message string) {
	s.MarkFalse(EventBusConditionConfigured, reason, message)
}
