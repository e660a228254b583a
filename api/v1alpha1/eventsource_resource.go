package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ResourceEventType is a kind of change to a watched Kubernetes object.
type ResourceEventType string

// The changes a resource event source can watch for.
const (
	// ADD is the creation of an object.
	ADD ResourceEventType = "ADD"
	// UPDATE is a change to an existing object.
	UPDATE ResourceEventType = "UPDATE"
	// DELETE is the removal of an object.
	DELETE ResourceEventType = "DELETE"
)

// ResourceEventSource watches Kubernetes objects of one group, version and
// resource and emits an event for each matching change.
type ResourceEventSource struct {
	// Namespace to watch; all namespaces when empty.
	// +optional
	Namespace string `json:"namespace"`
	// Filter narrows the objects that produce events.
	// +optional
	Filter *ResourceFilter `json:"filter,omitempty"`
	// Group is the API group of the watched resource; empty for the core group.
	// +optional
	Group string `json:"group"`
	// Version is the API version of the watched resource, e.g. "v1".
	// +optional
	Version string `json:"version"`
	// Resource is the plural resource name, e.g. "services".
	// +optional
	Resource string `json:"resource"`
	// EventTypes are the changes to emit events for.
	// +optional
	EventTypes []ResourceEventType `json:"eventTypes"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
}

// GroupVersionResource returns the watched resource as an apimachinery value.
//
// Argo embeds metav1.GroupVersionResource here; Herald spells the three
// fields out (same JSON names) so that the generated CRD does not require
// "group", which Argo accepts absent for the core group.
func (r *ResourceEventSource) GroupVersionResource() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: r.Group, Version: r.Version, Resource: r.Resource}
}

// ResourceFilter narrows the objects a resource event source reports on.
type ResourceFilter struct {
	// Prefix the object name must start with.
	// +optional
	Prefix string `json:"prefix,omitempty"`
	// Labels are label conditions passed to the watch; several values of one
	// condition are comma separated.
	// +optional
	Labels []Selector `json:"labels,omitempty"`
	// Fields are conditions on arbitrary object fields (e.g.
	// "spec.serviceAccountName"); the value may be a regular expression.
	// +optional
	Fields []Selector `json:"fields,omitempty"`
	// CreatedBy keeps only objects created before this time.
	// +optional
	CreatedBy metav1.Time `json:"createdBy,omitempty"`
	// AfterStart keeps only objects created after the source started.
	// +optional
	AfterStart bool `json:"afterStart,omitempty"`
}

// Selector is one condition on a label or field of a Kubernetes object.
type Selector struct {
	// Key is the label key or field path.
	// +optional
	Key string `json:"key"`
	// Operation compares the key with Value: "==" (the default), "=", "!=",
	// and for labels also "in", "notin", "exists", "!", "gt", "lt".
	// +optional
	Operation string `json:"operation,omitempty"`
	// Value is compared with the key.
	// +optional
	Value string `json:"value"`
}
