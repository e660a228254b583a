package v1alpha1

import (
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConditionType names one condition of a resource's status.
type ConditionType string

// ConditionReady is true when the resource is ready.
const ConditionReady ConditionType = "Ready"

// Condition is one observation of a resource's state.
type Condition struct {
	// Type is the kind of condition.
	Type ConditionType `json:"type"`
	// Status is True, False or Unknown.
	Status corev1.ConditionStatus `json:"status"`
	// LastTransitionTime is when Status last changed.
	// +optional
	LastTransitionTime metav1.Time `json:"lastTransitionTime,omitempty"`
	// Reason is a short CamelCase word saying why Status last changed.
	// +optional
	Reason string `json:"reason,omitempty"`
	// Message says in words why Status last changed.
	// +optional
	Message string `json:"message,omitempty"`
}

// IsTrue reports whether c is set and True.
func (c *Condition) IsTrue() bool {
	return c != nil && c.Status == corev1.ConditionTrue
}

// IsFalse reports whether c is set and False.
func (c *Condition) IsFalse() bool {
	return c != nil && c.Status == corev1.ConditionFalse
}

// IsUnknown reports whether c is missing or Unknown.
func (c *Condition) IsUnknown() bool {
	return c == nil || c.Status == corev1.ConditionUnknown
}

// GetReason returns the reason, or "" when c is nil.
func (c *Condition) GetReason() string {
	if c == nil {
		return ""
	}
	return c.Reason
}

// GetMessage returns the message, or "" when c is nil.
func (c *Condition) GetMessage() string {
	if c == nil {
		return ""
	}
	return c.Message
}

// Status is the part shared by the status of every kind: a list of conditions.
type Status struct {
	// Conditions are the latest observations of the resource's state, one per type.
	// +optional
	// +patchMergeKey=type
	// +patchStrategy=merge
	Conditions []Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// InitializeConditions sets each given condition type to Unknown.
func (s *Status) InitializeConditions(types ...ConditionType) {
	for _, t := range types {
		s.SetCondition(Condition{Type: t, Status: corev1.ConditionUnknown})
	}
}

// SetCondition adds or replaces the condition of c's type. LastTransitionTime
// moves only when the status, reason or message changes. Conditions stay sorted
// by type.
func (s *Status) SetCondition(c Condition) {
	conditions := make([]Condition, 0, len(s.Conditions)+1)
	for _, old := range s.Conditions {
		if old.Type != c.Type {
			conditions = append(conditions, old)
			continue
		}
		if old.Status == c.Status && old.Reason == c.Reason && old.Message == c.Message {
			return
		}
	}
	c.LastTransitionTime = metav1.NewTime(time.Now())
	conditions = append(conditions, c)
	sort.Slice(conditions, func(i, j int) bool { return conditions[i].Type < conditions[j].Type })
	s.Conditions = conditions
}

// MarkTrue sets condition t to True.
func (s *Status) MarkTrue(t ConditionType) {
	s.SetCondition(Condition{Type: t, Status: corev1.ConditionTrue})
}

// MarkTrueWithReason sets condition t to True with a reason and message.
func (s *Status) MarkTrueWithReason(t ConditionType, reason, message string) {
	s.SetCondition(Condition{Type: t, Status: corev1.ConditionTrue, Reason: reason, Message: message})
}

// MarkFalse sets condition t to False with a reason and message.
func (s *Status) MarkFalse(t ConditionType, reason, message string) {
	s.SetCondition(Condition{Type: t, Status: corev1.ConditionFalse, Reason: reason, Message: message})
}

// MarkUnknown sets condition t to Unknown with a reason and message.
func (s *Status) MarkUnknown(t ConditionType, reason, message string) {
	s.SetCondition(Condition{Type: t, Status: corev1.ConditionUnknown, Reason: reason, Message: message})
}

// GetCondition returns a copy of condition t, or nil when it is not set.
func (s *Status) GetCondition(t ConditionType) *Condition {
	for i := range s.Conditions {
		if s.Conditions[i].Type == t {
			c := s.Conditions[i]
			return &c
		}
	}
	return nil
}

// IsReady reports whether there is at least one condition and all are True.
func (s *Status) IsReady() bool {
	if len(s.Conditions) == 0 {
		return false
	}
	for i := range s.Conditions {
		if !s.Conditions[i].IsTrue() {
			return false
		}
	}
	return true
}
