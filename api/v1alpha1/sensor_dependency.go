package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LogicalOperator says how several filters are combined.
type LogicalOperator string

// Values of LogicalOperator.
const (
	// AndLogicalOperator requires every filter to pass.
	AndLogicalOperator LogicalOperator = "and"
	// OrLogicalOperator requires at least one filter to pass.
	OrLogicalOperator LogicalOperator = "or"
	// EmptyLogicalOperator is the unset value; it means "and".
	EmptyLogicalOperator LogicalOperator = ""
)

// Comparator is the comparison a data filter makes between the event value and
// the filter values.
type Comparator string

// Values of Comparator.
const (
	// ComparatorGreaterThanOrEqualTo passes when the event value is >= a filter value.
	ComparatorGreaterThanOrEqualTo Comparator = ">="
	// ComparatorGreaterThan passes when the event value is > a filter value.
	ComparatorGreaterThan Comparator = ">"
	// ComparatorEqualTo passes when the event value equals a filter value.
	ComparatorEqualTo Comparator = "="
	// ComparatorNotEqualTo passes when the event value differs from the filter values.
	ComparatorNotEqualTo Comparator = "!="
	// ComparatorLessThan passes when the event value is < a filter value.
	ComparatorLessThan Comparator = "<"
	// ComparatorLessThanOrEqualTo passes when the event value is <= a filter value.
	ComparatorLessThanOrEqualTo Comparator = "<="
	// ComparatorEmpty is the unset value; it means "=".
	ComparatorEmpty Comparator = ""
)

// JSONType is the type a data filter reads the event value as.
type JSONType string

// Values of JSONType.
const (
	// JSONTypeBool reads the value as a boolean.
	JSONTypeBool JSONType = "bool"
	// JSONTypeNumber reads the value as a float64.
	JSONTypeNumber JSONType = "number"
	// JSONTypeString reads the value as a string (filter values are regular
	// expressions).
	JSONTypeString JSONType = "string"
)

// EventDependency is one event a Sensor waits for, with the filters the event
// must pass and an optional transformation of its data.
type EventDependency struct {
	// Name identifies the dependency within the sensor; conditions and
	// parameters refer to it.
	// +optional
	Name string `json:"name"`
	// EventSourceName is the name of the EventSource that emits the event.
	// +optional
	EventSourceName string `json:"eventSourceName"`
	// EventName is the name of the event within that EventSource.
	// +optional
	EventName string `json:"eventName"`
	// Filters the event must pass.
	// +optional
	Filters *EventDependencyFilter `json:"filters,omitempty"`
	// Transform rewrites the event data before filters and triggers see it.
	// +optional
	Transform *EventDependencyTransformer `json:"transform,omitempty"`
	// FiltersLogicalOperator combines the filter kinds (time, context, data,
	// exprs, script): "and" (the default) or "or".
	// +optional
	FiltersLogicalOperator LogicalOperator `json:"filtersLogicalOperator,omitempty"`
}

// EventDependencyTransformer rewrites an event's data with jq or a Lua script.
type EventDependencyTransformer struct {
	// JQ is a jq program applied to the event data.
	// +optional
	JQ string `json:"jq,omitempty"`
	// Script is a Lua script that receives the event and returns the new one.
	// +optional
	Script string `json:"script,omitempty"`
}

// EventDependencyFilter holds the filters an event must pass.
type EventDependencyFilter struct {
	// Time passes events whose time lies in a daily window.
	// +optional
	Time *TimeFilter `json:"time,omitempty"`
	// Context passes events whose CloudEvent context matches these fields.
	// +optional
	Context *EventContext `json:"context,omitempty"`
	// Data filters compare values in the event data.
	// +optional
	Data []DataFilter `json:"data,omitempty"`
	// Exprs are boolean expressions over values in the event data.
	// +optional
	Exprs []ExprFilter `json:"exprs,omitempty"`
	// DataLogicalOperator combines the Data filters: "and" (the default) or "or".
	// +optional
	DataLogicalOperator LogicalOperator `json:"dataLogicalOperator,omitempty"`
	// ExprLogicalOperator combines the Exprs filters: "and" (the default) or "or".
	// +optional
	ExprLogicalOperator LogicalOperator `json:"exprLogicalOperator,omitempty"`
	// Script is a Lua script that returns whether the event passes.
	// +optional
	Script string `json:"script,omitempty"`
}

// ExprFilter is a boolean expression over named values taken from the event data.
type ExprFilter struct {
	// Expr is the expression; it passes when it evaluates to true.
	// +optional
	Expr string `json:"expr"`
	// Fields bind names used in Expr to paths in the event data.
	// +optional
	Fields []PayloadField `json:"fields"`
}

// PayloadField binds a name to the value at a path in the event data.
type PayloadField struct {
	// Path is a gjson path into the event data (keys separated by dots,
	// wildcards * and ?, array indexes as keys).
	// +optional
	Path string `json:"path"`
	// Name is the name the value gets in the expression.
	// +optional
	Name string `json:"name"`
}

// TimeFilter passes events whose time falls in a daily window [Start, Stop).
// When Stop is before Start the window ends on the next day.
type TimeFilter struct {
	// Start is the inclusive start of the window, as hh:mm:ss.
	// +optional
	Start string `json:"start"`
	// Stop is the exclusive end of the window, as hh:mm:ss.
	// +optional
	Stop string `json:"stop"`
	// Timezone is the IANA time zone Start and Stop are read in. Defaults to UTC.
	// +optional
	Timezone string `json:"timezone,omitempty"`
}

// DataFilter compares the value at a path in the event data with given values.
type DataFilter struct {
	// Path is a gjson path into the event data.
	// +optional
	Path string `json:"path"`
	// Type is how the value is read: bool, number or string.
	// +optional
	Type JSONType `json:"type"`
	// Value lists the values to compare with; the filter passes when any of
	// them matches.
	// +optional
	Value []string `json:"value"`
	// Comparator is the comparison: >=, >, =, !=, <, <=. Defaults to =.
	// +optional
	Comparator Comparator `json:"comparator,omitempty"`
	// Template is a Go template (with sprig functions) applied to the value
	// before it is compared.
	// +optional
	Template string `json:"template,omitempty"`
}

// EventContext is the CloudEvents context of an event. In a context filter, the
// fields that are set must match.
type EventContext struct {
	// ID of the event, unique for its source.
	// +optional
	ID string `json:"id"`
	// Source is a URI naming the producer of the event.
	// +optional
	Source string `json:"source"`
	// SpecVersion is the CloudEvents spec version.
	// +optional
	SpecVersion string `json:"specversion"`
	// Type is the kind of occurrence.
	// +optional
	Type string `json:"type"`
	// DataContentType is the media type of the event data.
	// +optional
	DataContentType string `json:"datacontenttype"`
	// Subject is the subject of the event for its producer.
	// +optional
	Subject string `json:"subject"`
	// Time is when the event happened.
	// +optional
	Time metav1.Time `json:"time"`
}

// Event is a CloudEvent as it travels from an EventSource to a Sensor.
type Event struct {
	// Context is the CloudEvents context.
	// +optional
	Context *EventContext `json:"context,omitempty"`
	// Data is the event payload.
	// +optional
	Data []byte `json:"data"`
}
